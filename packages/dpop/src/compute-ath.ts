import { encodeBase64url } from './base64url.js';
import { DpopError } from './errors.js';

/** `ath` = base64url(SHA-256(ASCII(access token))) — DPOP-06. */
export async function computeAth(accessToken: string): Promise<string> {
  if (typeof accessToken !== 'string' || accessToken.length === 0) {
    throw new DpopError('DPOP_INVALID_OPTIONS', 'accessToken must be a non-empty string');
  }
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(accessToken));
  return encodeBase64url(new Uint8Array(digest));
}
