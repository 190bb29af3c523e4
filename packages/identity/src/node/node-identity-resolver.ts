import { createIdentityResolver, type IdentityResolver, type IdentityResolverOptions } from '../identity-resolver.js';
import { createNodeTxtLookup } from './node-dns.js';
import { createNodeSafeFetch } from './node-safe-fetch.js';

/** Options for `createNodeIdentityResolver`. */
export interface NodeIdentityResolverOptions extends IdentityResolverOptions {
  /** DNS servers for the TXT method when `txt` is not given. Default: the system's. */
  readonly dnsServers?: readonly string[];
}

/**
 * `createIdentityResolver` with Node defaults: `createNodeSafeFetch()` (connect-time address
 * check) and `createNodeTxtLookup({ servers: dnsServers })` for the DNS method.
 */
export function createNodeIdentityResolver(options: NodeIdentityResolverOptions = {}): IdentityResolver {
  return createIdentityResolver({
    ...options,
    fetch: options.fetch ?? createNodeSafeFetch(),
    txt: options.txt ?? createNodeTxtLookup({ servers: options.dnsServers }),
  });
}
