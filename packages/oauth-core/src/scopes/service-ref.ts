// atproto-DID syntax, plus `%` only as a complete `%XX` escape.
const DID = /^did:[a-z]+:(?:[A-Za-z0-9._:-]|%[0-9A-Fa-f]{2})*(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})$/;
// RFC 3986 fragment characters (pchar / "/" / "?"), non-empty.
const FRAGMENT = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9A-Fa-f]{2})+$/;

/** A DID per the atproto DID syntax (at most 2048 chars). */
export function isValidDid(value: string): boolean {
  return typeof value === 'string' && value.length <= 2048 && DID.test(value);
}

/**
 * PERM-RPC-01 / PERM-INC-01: a service reference `did…#serviceId`, the form `aud` takes (e.g.
 * `did:web:api.example.com#svc_appview`). A DID without a fragment is not one.
 */
export function isServiceRef(value: string): boolean {
  if (typeof value !== 'string') return false;
  const hash = value.indexOf('#');
  if (hash === -1) return false;
  return isValidDid(value.slice(0, hash)) && FRAGMENT.test(value.slice(hash + 1));
}
