import type { LookupAddress } from 'node:dns';
import { Resolver } from 'node:dns/promises';
import type { TxtLookup } from '../dns-handle-resolver.js';
import type { AddressLookup } from './node-transport.js';

/** Options for the node:dns based resolvers. */
export interface NodeDnsOptions {
  /** DNS servers (`'1.1.1.1'`, `'127.0.0.1:5353'`, `'[::1]:53'`). Default: the system's. */
  readonly servers?: readonly string[];
  /** Per-query timeout in ms (node:dns `timeout`). Default `3000`. */
  readonly timeoutMs?: number;
  /** Retries per query (node:dns `tries`). Default `2`. */
  readonly tries?: number;
}

function makeResolver(options: NodeDnsOptions): Resolver {
  const resolver = new Resolver({ timeout: options.timeoutMs ?? 3000, tries: options.tries ?? 2 });
  if (options.servers) resolver.setServers([...options.servers]);
  return resolver;
}

const NO_ANSWER = new Set(['ENOTFOUND', 'ENODATA', 'NXDOMAIN']);

/**
 * The Node TXT lookup for `createDnsHandleResolver`: a node:dns `Resolver` with configurable
 * servers. "No such name" and "no TXT records" give `[]`; other failures reject.
 */
export function createNodeTxtLookup(options: NodeDnsOptions = {}): TxtLookup {
  const resolver = makeResolver(options);
  return async (name) => {
    try {
      return await resolver.resolveTxt(name);
    } catch (err) {
      if (NO_ANSWER.has((err as { code?: string }).code ?? '')) return [];
      throw err;
    }
  };
}

/**
 * An `AddressLookup` for `createNodeTransport` that asks the given DNS servers for A and AAAA
 * records (instead of the OS resolver). Useful to pin the fetcher to a trusted resolver, and what
 * the tests use to point it at a DNS server on loopback.
 */
export function createNodeAddressLookup(options: NodeDnsOptions = {}): AddressLookup {
  const resolver = makeResolver(options);
  const quiet = (p: Promise<string[]>) =>
    p.catch((err: { code?: string }) => {
      if (NO_ANSWER.has(err.code ?? '')) return [] as string[];
      throw err;
    });
  return async (hostname) => {
    const [v4, v6] = await Promise.all([quiet(resolver.resolve4(hostname)), quiet(resolver.resolve6(hostname))]);
    const out: LookupAddress[] = [
      ...v4.map((address) => ({ address, family: 4 })),
      ...v6.map((address) => ({ address, family: 6 })),
    ];
    if (out.length === 0) throw Object.assign(new Error(`No address for ${hostname}`), { code: 'ENOTFOUND' });
    return out;
  };
}
