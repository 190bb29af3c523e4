import { type DidDocument, parseDidDocument } from './did-document.js';
import { assertSupportedDid, type Did } from './did-syntax.js';
import { IdentityError } from './errors.js';
import { isReservedHandleTld, isValidHandle, truncate } from './handle-syntax.js';
import { readJson } from './read-body.js';
import type { FetchLike } from './safe-fetch.js';

/** Options for `createDidResolver`. */
export interface DidResolverOptions {
  /** The SSRF-safe fetch. */
  readonly fetch: FetchLike;
  /** The PLC directory. Default `https://plc.directory`. */
  readonly plcDirectoryUrl?: string;
  /** Dev mode: allows `did:web:localhost%3A<port>` (fetched over http) and `.test` hosts. Default `false`. */
  readonly dev?: boolean;
  /** DID document body cap in bytes. Default `65_536`. */
  readonly maxBytes?: number;
}

/** Per-call options for `DidResolver.resolve`. */
export interface DidResolveOptions {
  readonly signal?: AbortSignal;
}

/** Fetches and validates DID documents. */
export interface DidResolver {
  /** Resolves a `did:plc` or `did:web` DID to its validated document. */
  resolve(did: string, options?: DidResolveOptions): Promise<DidDocument>;
}

/**
 * `did:plc` through the configured directory (ID-DID-04) and `did:web` through
 * `https://<host>/.well-known/did.json` (ID-DID-05). 404/410 → `IDENTITY_NOT_FOUND`; other
 * non-200 → `FETCH_BAD_RESPONSE`; documents validated by `parseDidDocument`.
 */
export function createDidResolver(options: DidResolverOptions): DidResolver {
  const directory = new URL(options.plcDirectoryUrl ?? 'https://plc.directory');
  const maxBytes = options.maxBytes ?? 64 * 1024;
  return {
    async resolve(input, opts) {
      const did = assertSupportedDid(input);
      const url = did.startsWith('did:plc:') ? plcUrl(directory, did) : didWebUrl(did, options.dev ?? false);
      const response = await options.fetch(url, {
        headers: { accept: 'application/did+ld+json, application/json' },
        signal: opts?.signal,
      });
      if (response.status === 404 || response.status === 410) {
        await response.body?.cancel().catch(() => undefined);
        throw new IdentityError(
          'IDENTITY_NOT_FOUND',
          `${did} was not found (HTTP ${response.status}: unknown or deactivated).`,
        );
      }
      if (response.status !== 200) {
        await response.body?.cancel().catch(() => undefined);
        throw new IdentityError('FETCH_BAD_RESPONSE', `Resolving ${did} answered HTTP ${response.status}.`);
      }
      // ID-DID-11: JSON or DID+JSON-LD, size-capped, must be an object.
      const json = await readJson(response, {
        maxBytes,
        contentTypes: ['application/json', 'application/did+ld+json'],
      });
      return parseDidDocument(json, did);
    },
  };
}

// ID-DID-04: the DID is percent-encoded into one path segment, so it cannot add segments.
function plcUrl(directory: URL, did: Did): URL {
  const base = directory.href.endsWith('/') ? directory.href : `${directory.href}/`;
  return new URL(encodeURIComponent(did), base);
}

/** ID-DID-05: `did:web` is hostname-only; an encoded port only for `localhost`, only in dev. */
export function didWebUrl(did: Did, dev: boolean): URL {
  const id = did.slice('did:web:'.length);
  const invalid = (why: string) => new IdentityError('IDENTITY_DID_INVALID', `${truncate(did)} ${why}.`);
  if (id.includes(':')) throw invalid('has a path; atproto allows hostname-only did:web');
  const decoded = id.replace(/%3a/gi, ':');
  const [host = '', port, extra] = decoded.split(':');
  if (extra !== undefined || decoded.includes('%')) throw invalid('has an invalid percent-encoding');
  if (port !== undefined) {
    if (!(dev && host === 'localhost' && /^[0-9]{1,5}$/.test(port))) {
      throw invalid('has a port; ports are only allowed for localhost in dev mode');
    }
    return new URL(`http://localhost:${port}/.well-known/did.json`);
  }
  if (dev && host === 'localhost') return new URL('http://localhost/.well-known/did.json');
  if (!isValidHandle(host)) throw invalid('does not name a valid host');
  // ID-DID-05: did:web hosts obey the handle TLD restrictions.
  if (isReservedHandleTld(host, { allowTestTld: dev })) {
    throw new IdentityError('IDENTITY_TLD_RESERVED', `${truncate(did)} is under a reserved TLD.`);
  }
  return new URL(`https://${host.toLowerCase()}/.well-known/did.json`);
}
