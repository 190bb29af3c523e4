export { createNodeAddressLookup, createNodeTxtLookup, type NodeDnsOptions } from './node-dns.js';
export { createNodeIdentityResolver, type NodeIdentityResolverOptions } from './node-identity-resolver.js';
export { createNodeSafeFetch, type NodeSafeFetchOptions } from './node-safe-fetch.js';
export { type AddressLookup, createNodeTransport, type NodeTransportOptions } from './node-transport.js';
