// Small URL predicates shared by the metadata validators. Each returns a reason string when the
// URL breaks the rule and undefined when it is fine, so callers can build precise violations.

/**
 * How strict an origin check is; shared by the metadata checks.
 *
 * @example
 * ```ts
 * checkProtectedResourceMetadata(json, { expectedResource: 'http://127.0.0.1:2583', allowHttpLoopback: true });
 * ```
 */
export interface OriginRules {
  /** Development only: accept `http:` origins on loopback hosts. */
  allowHttpLoopback?: boolean;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname) || hostname.startsWith('127.') || hostname.endsWith('.localhost');
}

export function parseUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

/**
 * A bare origin as atproto writes issuers and authorization servers (META-RS-04, AS-META-02):
 * https, no userinfo, no path (not even `/`), no query, no fragment, no written default port.
 * The check is on the string itself, because `new URL()` would silently normalise `:443` and `/`.
 */
export function bareOriginProblem(value: string, rules: OriginRules = {}): string | undefined {
  const url = parseUrl(value);
  if (!url) return 'is not a URL';
  const httpAllowed = rules.allowHttpLoopback === true && url.protocol === 'http:' && isLoopbackHost(url.hostname);
  if (url.protocol !== 'https:' && !httpAllowed) return 'must use https';
  if (url.username || url.password) return 'must not contain userinfo';
  if (url.search || value.includes('?')) return 'must not contain a query';
  if (url.hash || value.includes('#')) return 'must not contain a fragment';
  if (value !== url.origin) {
    if (/:\d+$/.test(value) && !url.port) return 'must not write out the default port';
    return 'must be a bare origin (no path, not even a trailing "/")';
  }
  return undefined;
}

/** An https URL (any path) that is not `javascript:`/`data:` and carries no userinfo. */
export function httpsUrlProblem(value: string, rules: OriginRules = {}): string | undefined {
  const url = parseUrl(value);
  if (!url) return 'is not a URL';
  const httpAllowed = rules.allowHttpLoopback === true && url.protocol === 'http:' && isLoopbackHost(url.hostname);
  if (url.protocol !== 'https:' && !httpAllowed) return 'must use https';
  if (url.username || url.password) return 'must not contain userinfo';
  return undefined;
}
