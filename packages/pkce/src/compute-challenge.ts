import { base64url } from './base64url.js';
import { assertVerifierSyntax } from './verifier-syntax.js';

/**
 * The S256 code challenge of a verifier: base64url(SHA-256(ASCII(verifier))), no padding
 * (PKCE-02). Throws a `PkceError` for a verifier that breaks RFC 7636 syntax.
 *
 * @example
 * ```ts
 * const challenge = await computeChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk');
 * // 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'
 * ```
 */
export async function computeChallenge(verifier: string): Promise<string> {
  assertVerifierSyntax(verifier);
  // The alphabet is ASCII, so TextEncoder's UTF-8 equals the ASCII bytes RFC 7636 asks for.
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}
