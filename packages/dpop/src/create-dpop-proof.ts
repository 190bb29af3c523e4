import { encodeBase64url, encodeBase64urlAscii } from './base64url.js';
import { computeAth } from './compute-ath.js';
import { type DpopKey, JTI_BYTES, NEXT_JTI } from './dpop-key.js';
import { DpopError } from './errors.js';
import { htuOf } from './htu.js';

/** What a proof is for. */
export interface CreateDpopProofOptions {
  /** HTTP method, exactly as sent (`htm`). */
  htm: string;
  /** Request URL; query and fragment are dropped (`htu`, DPOP-04). */
  htu: string | URL;
  /** The server's latest `DPoP-Nonce` for this origin, when one is known (DPOP-05). */
  nonce?: string;
  /** Binds the proof to this access token through `ath` (DPOP-06). */
  accessToken?: string;
  /** A precomputed `ath` (from `computeAth`), used instead of hashing `accessToken` again. */
  ath?: string;
  /** Issue time in epoch seconds; defaults to the current time. */
  now?: number;
}

const TCHAR = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const ATH = /^[A-Za-z0-9_-]{43}$/;
const NONCE = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/**
 * Signs one DPoP proof JWT (RFC 9449 §4.2). A fresh `jti` every call: call it once per HTTP request,
 * retries included (DPOP-07).
 *
 * Hand-written rather than built with jose's SignJWT: the header is pre-encoded per key and the
 * payload is one JSON.stringify, which is what gets this close to the raw signature rate.
 */
export async function createDpopProof(key: DpopKey, options: CreateDpopProofOptions): Promise<string> {
  const { htm, nonce, now } = options;
  if (typeof htm !== 'string' || !TCHAR.test(htm)) {
    throw new DpopError('DPOP_INVALID_OPTIONS', 'htm must be an HTTP method token such as "GET" or "POST"');
  }
  if (nonce !== undefined && (typeof nonce !== 'string' || !NONCE.test(nonce))) {
    throw new DpopError('DPOP_INVALID_OPTIONS', 'nonce must be a non-empty string of visible ASCII (no " or \\)');
  }
  if (options.ath !== undefined && !ATH.test(options.ath)) {
    throw new DpopError('DPOP_INVALID_OPTIONS', 'ath must be the 43-character base64url value computeAth returns');
  }
  let iat: number;
  if (now === undefined) iat = Math.floor(Date.now() / 1000);
  else if (Number.isFinite(now) && now >= 0) iat = Math.floor(now);
  else throw new DpopError('DPOP_INVALID_OPTIONS', 'now must be a non-negative number of epoch seconds');
  // DPOP-04: jti = 144 CSPRNG bits (above the 96 required), pooled per key when the key offers it
  const nextJti = (key as { [NEXT_JTI]?: () => string })[NEXT_JTI];
  const jti = nextJti ? nextJti() : encodeBase64url(crypto.getRandomValues(new Uint8Array(JTI_BYTES)));
  const ath = options.ath ?? (options.accessToken === undefined ? undefined : await computeAth(options.accessToken));
  const payload: Record<string, string | number> = { jti, htm, htu: htuOf(options.htu), iat };
  if (nonce !== undefined) payload.nonce = nonce; // DPOP-05
  if (ath !== undefined) payload.ath = ath; // DPOP-06
  // every member is ASCII (tchar htm, serialised URL, checked nonce, base64url values): no TextEncoder
  const signingInput = `${key.header}.${encodeBase64urlAscii(JSON.stringify(payload))}`;
  return `${signingInput}.${await key.sign(signingInput)}`;
}
