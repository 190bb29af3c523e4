import { IdentityError } from './errors.js';
import { truncate } from './handle-syntax.js';
import { classifyAddress, isIpAddress } from './ip-address.js';

/** The address policy shared by the fetch pipeline and the Node connect-time check. */
export interface AddressPolicy {
  /** Allow plain `http:` URLs. Default `false` (ID-HANDLE-07: production is https only). */
  readonly allowHttp?: boolean;
  /** Allow loopback addresses (127.0.0.0/8, ::1) and the name `localhost`. Default `false`. Dev only. */
  readonly allowLoopback?: boolean;
}

// Names that never reach the public internet; refused before any lookup (requirements §2).
const INTERNAL_SUFFIXES = ['.localhost', '.local', '.internal', '.arpa', '.onion', '.invalid', '.alt', '.example'];

/** Throws `FETCH_UNSAFE_ADDRESS` when `address` (an IP) is in the block-list. */
export function assertSafeAddress(address: string, policy: AddressPolicy, host = address): void {
  const cls = classifyAddress(address, policy);
  // SSRF: only global unicast addresses (loopback too when the dev policy allows it).
  if (cls?.forbidden) {
    throw new IdentityError(
      'FETCH_UNSAFE_ADDRESS',
      `Refused to connect to ${truncate(host)} (${address}, ${cls.label} address): only public addresses are allowed` +
        (cls.loopback ? '; loopback needs allowLoopback (dev only).' : '.'),
    );
  }
}

/**
 * Pipeline step "protocol + forbidden hosts": parses `input`, then refuses non-http(s) schemes
 * (`FETCH_PROTOCOL_REFUSED`), `http:` unless `allowHttp`, credentials in the URL, internal names
 * and IP literals in the block-list (`FETCH_UNSAFE_ADDRESS`). Hostnames are checked again on the
 * resolved address at connect time by the Node transport.
 */
export function checkUrl(input: string | URL, policy: AddressPolicy): URL {
  let url: URL;
  try {
    url = new URL(input);
  } catch (cause) {
    throw new IdentityError('FETCH_INVALID_URL', `"${truncate(String(input))}" is not an absolute URL.`, { cause });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new IdentityError(
      'FETCH_PROTOCOL_REFUSED',
      `Refused ${url.protocol} URL: only https (and http in dev) are fetched.`,
    );
  }
  // ID-HANDLE-07: plain http only in explicit dev/test configuration.
  if (url.protocol === 'http:' && !policy.allowHttp) {
    throw new IdentityError(
      'FETCH_PROTOCOL_REFUSED',
      `Refused http URL ${truncate(url.href)}: use https (http needs allowHttp, dev only).`,
    );
  }
  if (url.username || url.password) {
    throw new IdentityError('FETCH_INVALID_URL', 'Refused a URL with credentials (user:password@).');
  }
  const host = url.hostname.replace(/\.$/, '').toLowerCase();
  if (isIpAddress(host)) {
    assertSafeAddress(host, policy, host);
  } else {
    const loopbackName = host === 'localhost' || host.endsWith('.localhost');
    if (loopbackName ? !policy.allowLoopback : INTERNAL_SUFFIXES.some((s) => host.endsWith(s))) {
      throw new IdentityError('FETCH_UNSAFE_ADDRESS', `Refused internal host name ${truncate(host)}.`);
    }
  }
  return url;
}

/**
 * Dev/test host mapping: a request to a mapped host name goes to the mapped origin instead (path
 * and query kept). The rewritten URL then passes every check, so mapping to loopback still needs
 * `allowLoopback`. This is how tests reach `https://alice.test/.well-known/atproto-did` on
 * `http://127.0.0.1:<port>`. The Node transport still sends `Host: alice.test`, so a server that
 * routes by name (the reference PDS) answers for the mapped name.
 */
export function applyHostMap(url: URL, hostMap: ReadonlyMap<string, URL> | undefined): URL {
  const target = hostMap?.get(url.hostname.toLowerCase());
  if (!target) return url;
  const out = new URL(url.href);
  out.protocol = target.protocol;
  out.host = target.host;
  return out;
}

/** Validates a `hostMap` option: lower-case host names → bare `http(s)://host[:port]` origins. */
export function parseHostMap(hostMap: Readonly<Record<string, string>> | undefined): Map<string, URL> | undefined {
  if (!hostMap) return undefined;
  const out = new Map<string, URL>();
  for (const [name, origin] of Object.entries(hostMap)) {
    let url: URL | undefined;
    try {
      url = new URL(origin);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.origin !== origin.replace(/\/$/, '')) {
      throw new IdentityError(
        'INVALID_OPTIONS',
        `hostMap["${name}"] must be a bare origin such as http://127.0.0.1:8080.`,
      );
    }
    out.set(name.toLowerCase(), url);
  }
  return out;
}
