import { encodeBase64url } from './base64url.js';
import { DpopError } from './errors.js';

// RFC 7638 §3.2: the required members of each key type, already in lexicographic order.
const REQUIRED: Readonly<Record<string, readonly string[]>> = {
  EC: ['crv', 'kty', 'x', 'y'],
  RSA: ['e', 'kty', 'n'],
  OKP: ['crv', 'kty', 'x'],
  oct: ['k', 'kty'],
};

/**
 * The canonical RFC 7638 thumbprint input: only the required members, sorted, no whitespace.
 * Throws `DPOP_KEY_INVALID` if the key type is unknown or a required member is not a string.
 */
export function thumbprintInput(key: object): string {
  const jwk = key as Readonly<Record<string, unknown>>;
  const kty = jwk.kty;
  const members = typeof kty === 'string' ? REQUIRED[kty] : undefined;
  if (!members)
    throw new DpopError('DPOP_KEY_INVALID', `JWK kty must be one of EC, RSA, OKP, oct (got ${String(kty)})`);
  const parts: string[] = [];
  for (const name of members) {
    const value = jwk[name];
    if (typeof value !== 'string' || value.length === 0) {
      throw new DpopError('DPOP_KEY_INVALID', `JWK of kty ${kty} needs a non-empty string "${name}" member`);
    }
    parts.push(`${JSON.stringify(name)}:${JSON.stringify(value)}`);
  }
  return `{${parts.join(',')}}`;
}

/** RFC 7638 JWK SHA-256 thumbprint, base64url — the `jkt` a DPoP-bound token is tied to. */
export async function jwkThumbprint(jwk: object): Promise<string> {
  const input = new TextEncoder().encode(thumbprintInput(jwk));
  return encodeBase64url(new Uint8Array(await crypto.subtle.digest('SHA-256', input)));
}
