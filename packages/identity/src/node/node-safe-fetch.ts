import { createSafeFetch, type SafeFetch, type SafeFetchOptions } from '../safe-fetch.js';
import { createNodeTransport, type NodeTransportOptions } from './node-transport.js';

/** Options for `createNodeSafeFetch`: the safe-fetch options plus the Node transport's. */
export interface NodeSafeFetchOptions
  extends Omit<SafeFetchOptions, 'fetch'>,
    Pick<NodeTransportOptions, 'lookup' | 'keepAlive'> {}

/**
 * The safe fetch on Node: `createSafeFetch` over `createNodeTransport`, with the same address
 * policy at both layers — URL checks before sending, and the resolved address checked at connect
 * time (DNS rebinding cannot slip past).
 */
export function createNodeSafeFetch(options: NodeSafeFetchOptions = {}): SafeFetch {
  const transport = createNodeTransport({
    allowHttp: options.allowHttp,
    allowLoopback: options.allowLoopback,
    lookup: options.lookup,
    keepAlive: options.keepAlive,
  });
  return createSafeFetch({ ...options, fetch: transport });
}
