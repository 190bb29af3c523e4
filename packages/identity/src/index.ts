export {
  type CachedGetOptions,
  type CachedGetter,
  type CachedGetterOptions,
  createCachedGetter,
  type GetterContext,
} from './cached-getter.js';
export {
  type DidDocument,
  getClaimedHandle,
  getPdsEndpoint,
  type PdsEndpointOptions,
  parseDidDocument,
} from './did-document.js';
export {
  createDidResolver,
  type DidResolveOptions,
  type DidResolver,
  type DidResolverOptions,
} from './did-resolver.js';
export { assertSupportedDid, type Did, isValidDid } from './did-syntax.js';
export { createDnsHandleResolver, type DnsHandleResolverOptions, type TxtLookup } from './dns-handle-resolver.js';
export { createDohHandleResolver, createDohTxtLookup, type DohOptions } from './doh-handle-resolver.js';
export { IdentityError, type IdentityErrorCode, isIdentityError } from './errors.js';
export type { HandleResolveOptions, HandleResolver } from './handle-resolver.js';
export {
  assertResolvableHandle,
  isReservedHandleTld,
  isValidHandle,
  normalizeHandle,
  RESERVED_HANDLE_TLDS,
} from './handle-syntax.js';
export {
  createIdentityResolver,
  type IdentityResolver,
  type IdentityResolverOptions,
  MAX_HANDLE_TTL_MS,
  type ResolvedIdentity,
  type ResolveOptions,
} from './identity-resolver.js';
export { type AddressClass, classifyAddress, isIpAddress } from './ip-address.js';
export { type CacheStore, createMemoryStore, type MemoryStoreOptions } from './memory-store.js';
export { createParallelHandleResolver, type ParallelHandleResolverOptions } from './parallel-handle-resolver.js';
export { mediaType, type ReadBodyOptions, type ReadJsonOptions, readBytes, readJson, readText } from './read-body.js';
export {
  createSafeFetch,
  DEFAULT_MAX_BYTES,
  DEFAULT_TIMEOUT_MS,
  type FetchLike,
  type SafeFetch,
  type SafeFetchOptions,
} from './safe-fetch.js';
export { type AddressPolicy, checkUrl } from './url-policy.js';
export { createWellKnownHandleResolver, type WellKnownHandleResolverOptions } from './well-known-handle-resolver.js';
export { createXrpcHandleResolver, type XrpcHandleResolverOptions } from './xrpc-handle-resolver.js';
