import { base64url } from './base64url.js';
import { computeChallenge } from './compute-challenge.js';
import { PkceError } from './errors.js';

/** A fresh PKCE pair. Only `challenge` and `method` leave the client before the token request. */
export interface Pkce {
  verifier: string;
  challenge: string;
  method: 'S256';
}

/**
 * Options for {@link generatePkce}.
 *
 * @example
 * ```ts
 * const pkce = await generatePkce({ byteLength: 96 }); // a 128-character verifier
 * ```
 */
export interface GeneratePkceOptions {
  /** Random octets behind the verifier: 32 (default, 43 chars) to 96 (128 chars). */
  byteLength?: number;
}

/**
 * A new verifier from the platform CSPRNG and its S256 challenge (PKCE-01, PKCE-02).
 * Call it once per authorization request; never reuse the result.
 *
 * @example
 * ```ts
 * const { verifier, challenge, method } = await generatePkce();
 * // send challenge + method in PAR; keep verifier for the token request
 * ```
 */
export async function generatePkce(options: GeneratePkceOptions = {}): Promise<Pkce> {
  const byteLength = options.byteLength ?? 32;
  if (!Number.isInteger(byteLength) || byteLength < 32 || byteLength > 96) {
    throw new PkceError(
      'PKCE_INVALID_OPTIONS',
      `byteLength must be an integer from 32 to 96 (got ${String(byteLength)}); that keeps the verifier within 43..128 characters.`,
    );
  }
  // PKCE-01: a new CSPRNG verifier per request; base64url keeps it in the unreserved alphabet.
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(byteLength)));
  return { verifier, challenge: await computeChallenge(verifier), method: 'S256' };
}
