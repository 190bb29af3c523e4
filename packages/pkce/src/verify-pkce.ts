import { computeChallenge } from './compute-challenge.js';
import { PkceError } from './errors.js';

/**
 * What {@link verifyPkce} compares: the verifier from the token request and the challenge and method
 * stored at PAR time.
 *
 * @example
 * ```ts
 * await verifyPkce({ verifier: 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk', challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', method: 'S256' });
 * ```
 */
export interface VerifyPkceInput {
  /** The `code_verifier` the client sent to the token endpoint. */
  verifier: string;
  /** The `code_challenge` stored when the authorization request was pushed. */
  challenge: string;
  /** The `code_challenge_method` stored with it. Only `S256` is accepted. */
  method: string;
}

const CHALLENGE_SYNTAX = /^[A-Za-z0-9_-]{43}$/;

/**
 * Server side of PKCE: resolves when `verifier` hashes to `challenge` under S256, throws a
 * {@link PkceError} otherwise. The comparison is constant-time in the challenge content.
 *
 * @example
 * ```ts
 * await verifyPkce({ verifier: body.code_verifier, challenge: stored.challenge, method: stored.method });
 * ```
 */
export async function verifyPkce(input: VerifyPkceInput): Promise<void> {
  // PKCE-03: `plain` is never accepted, nor any other method.
  if (input.method !== 'S256') {
    throw new PkceError(
      'PKCE_METHOD_UNSUPPORTED',
      `code_challenge_method "${String(input.method)}" is not accepted; ATProto OAuth requires S256.`,
    );
  }
  if (typeof input.challenge !== 'string' || !CHALLENGE_SYNTAX.test(input.challenge)) {
    throw new PkceError(
      'PKCE_CHALLENGE_INVALID',
      'The stored code_challenge is not a 43-character base64url S256 value.',
    );
  }
  // PKCE-01: verifier syntax is checked before hashing (inside computeChallenge).
  const expected = await computeChallenge(input.verifier);
  // PKCE-07: a wrong verifier fails; compare every character so timing does not leak the prefix.
  let diff = 0;
  for (let i = 0; i < expected.length; i++) diff |= expected.charCodeAt(i) ^ input.challenge.charCodeAt(i);
  if (diff !== 0) {
    throw new PkceError('PKCE_CHALLENGE_MISMATCH', 'The code_verifier does not match the code_challenge.');
  }
}
