import { DpopError } from './errors.js';

/**
 * The normalised `htu` of a request URL: scheme, host (lower-cased, default port dropped) and path,
 * without query or fragment (DPOP-04). Only http and https URLs are accepted.
 */
export function htuOf(url: string | URL): string {
  let parsed: URL;
  try {
    parsed = typeof url === 'string' ? new URL(url) : url;
  } catch {
    throw new DpopError('DPOP_REQUEST_INVALID', `not an absolute URL: ${String(url).slice(0, 200)}`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new DpopError('DPOP_REQUEST_INVALID', `DPoP applies to http(s) URLs only (got ${parsed.protocol})`);
  }
  // DPOP-04: htu has no query or fragment (WHATWG parsing already normalises case, port, dot segments)
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
}
