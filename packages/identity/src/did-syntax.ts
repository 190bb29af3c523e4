import { IdentityError } from './errors.js';
import { truncate } from './handle-syntax.js';

// ID-DID-01: lower-case `did:` + lower-case method + identifier from [A-Za-z0-9._:%-], not ending in
// ':' or '%', no query/fragment/path, ≤ 2048 chars.
const DID_RE = /^did:[a-z]+:[a-zA-Z0-9._:%-]*[a-zA-Z0-9._-]$/;
const DID_MAX_LENGTH = 2048;
// ID-DID-03: 24 lower-case base32 chars.
const PLC_RE = /^did:plc:[a-z2-7]{24}$/;

/** A DID string (syntax-checked where it comes from this package). */
export type Did = `did:${string}:${string}`;

/** Pure syntax check (ID-DID-01); any method passes. Comparison of DIDs is case-sensitive. */
export function isValidDid(did: string): did is Did {
  return typeof did === 'string' && did.length <= DID_MAX_LENGTH && DID_RE.test(did);
}

/**
 * Throws unless `did` is a valid DID of a method usable for login (ID-DID-02): `did:plc` with a
 * 24-char base32 identifier (ID-DID-03) or `did:web`. Errors tell apart invalid syntax
 * (`IDENTITY_DID_INVALID`) and unsupported method (`IDENTITY_DID_METHOD_UNSUPPORTED`).
 * `did:web` host rules are checked by the DID resolver.
 */
export function assertSupportedDid(did: string): Did {
  if (!isValidDid(did)) {
    throw new IdentityError(
      'IDENTITY_DID_INVALID',
      `"${truncate(String(did))}" is not a valid DID: expected did:<method>:<id> with a lower-case method.`,
    );
  }
  if (did.startsWith('did:plc:')) {
    if (!PLC_RE.test(did)) {
      throw new IdentityError(
        'IDENTITY_DID_INVALID',
        `"${truncate(did)}" is not a valid did:plc: the identifier must be 24 chars of [a-z2-7].`,
      );
    }
    return did;
  }
  if (did.startsWith('did:web:')) return did;
  const method = did.slice(4, did.indexOf(':', 4));
  throw new IdentityError(
    'IDENTITY_DID_METHOD_UNSUPPORTED',
    `DID method "${method}" is not supported for login; only did:plc and did:web are.`,
  );
}
