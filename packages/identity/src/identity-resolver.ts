import { createCachedGetter } from './cached-getter.js';
import { type DidDocument, getClaimedHandle, getPdsEndpoint } from './did-document.js';
import { createDidResolver, type DidResolver } from './did-resolver.js';
import { assertSupportedDid, type Did } from './did-syntax.js';
import { createDnsHandleResolver, type TxtLookup } from './dns-handle-resolver.js';
import { IdentityError } from './errors.js';
import type { HandleResolver } from './handle-resolver.js';
import { assertResolvableHandle, isReservedHandleTld } from './handle-syntax.js';
import type { CacheStore } from './memory-store.js';
import { createParallelHandleResolver } from './parallel-handle-resolver.js';
import { createSafeFetch, type FetchLike } from './safe-fetch.js';
import { createWellKnownHandleResolver } from './well-known-handle-resolver.js';

/** Handle cache entries must live under 10 minutes (ID-HANDLE-13). */
export const MAX_HANDLE_TTL_MS = 10 * 60 * 1000 - 1;
const DEFAULT_TTL_MS = 5 * 60 * 1000;

/** Options for `createIdentityResolver`. */
export interface IdentityResolverOptions {
  /**
   * The SSRF-safe fetch for every request. Default `createSafeFetch()` (global fetch, no
   * connect-time check) — on Node use `createNodeIdentityResolver` or pass `createNodeSafeFetch()`.
   */
  readonly fetch?: FetchLike;
  /** TXT lookup for the DNS method. Without it (and without `handleResolver`) only HTTPS well-known runs. */
  readonly txt?: TxtLookup;
  /** Replaces the default handle resolution (DNS ‖ well-known in parallel). */
  readonly handleResolver?: HandleResolver;
  /** Replaces the default DID resolver. */
  readonly didResolver?: DidResolver;
  /** PLC directory for the default DID resolver. Default `https://plc.directory`. */
  readonly plcDirectoryUrl?: string;
  /**
   * Dev/test mode: `.test` handles, `did:web:localhost%3A<port>`, `http://` and loopback PDS
   * endpoints. Default `false`. Network access to loopback is governed by the fetch's own options.
   */
  readonly dev?: boolean;
  /** Handle → DID cache. TTL default 5 min, must be under 10 min (ID-HANDLE-13). */
  readonly handleCache?: { readonly store?: CacheStore<Did>; readonly ttlMs?: number };
  /** DID → document cache. TTL default 5 min. */
  readonly didCache?: { readonly store?: CacheStore<DidDocument>; readonly ttlMs?: number };
  /** Clock for the default in-memory caches. Default `Date.now`. */
  readonly now?: () => number;
}

/** Per-call options. */
export interface ResolveOptions {
  /** Bypass cached values (use for auth-critical lookups). Concurrent lookups are still shared. */
  readonly noCache?: boolean;
  /** Aborts this caller's wait. */
  readonly signal?: AbortSignal;
}

/** The outcome of `resolveIdentity`. */
export interface ResolvedIdentity {
  readonly did: Did;
  /** The handle, only when it is verified in both directions (ID-HANDLE-11); otherwise `null`. */
  readonly handle: string | null;
  /** The PDS origin from the DID document (ID-DID-07, ID-DID-08). */
  readonly pds: string;
  readonly didDocument: DidDocument;
}

/** Resolves handles and DIDs, with caches; see `createIdentityResolver`. */
export interface IdentityResolver {
  /** A handle (`@Alice.example.com` is fine) or a DID → verified identity. */
  resolveIdentity(input: string, options?: ResolveOptions): Promise<ResolvedIdentity>;
  /** Handle → DID (syntax, TLD and method checked; not yet verified against the document). */
  resolveHandle(handle: string, options?: ResolveOptions): Promise<Did>;
  /** DID → validated DID document. */
  resolveDid(did: string, options?: ResolveOptions): Promise<DidDocument>;
}

/**
 * Builds an identity resolver. Every check runs before the network is touched where it can:
 * syntax (ID-HANDLE-01, ID-DID-01), reserved TLDs (ID-HANDLE-03), supported methods (ID-DID-02).
 */
export function createIdentityResolver(options: IdentityResolverOptions = {}): IdentityResolver {
  const dev = options.dev ?? false;
  const fetch = options.fetch ?? createSafeFetch();
  const handleTtl = options.handleCache?.ttlMs ?? DEFAULT_TTL_MS;
  // ID-HANDLE-13: identity used for auth is cached for less than 10 minutes.
  if (!(handleTtl >= 0 && handleTtl <= MAX_HANDLE_TTL_MS)) {
    throw new IdentityError('INVALID_OPTIONS', `handleCache.ttlMs must be 0..${MAX_HANDLE_TTL_MS} (under 10 minutes).`);
  }
  const handleResolver =
    options.handleResolver ??
    createParallelHandleResolver({
      dns: options.txt ? createDnsHandleResolver({ txt: options.txt }) : undefined,
      wellKnown: createWellKnownHandleResolver({ fetch }),
    });
  const didResolver =
    options.didResolver ?? createDidResolver({ fetch, plcDirectoryUrl: options.plcDirectoryUrl, dev });

  const handles = createCachedGetter<Did>({
    ttlMs: handleTtl,
    store: options.handleCache?.store,
    now: options.now,
    async get(handle) {
      const found = await handleResolver.resolve(handle);
      if (found === null) {
        throw new IdentityError(
          'IDENTITY_NOT_FOUND',
          `No DID found for ${handle} (neither DNS TXT nor HTTPS well-known).`,
        );
      }
      // ID-HANDLE-12: the answer must be a valid DID of a supported method.
      return assertSupportedDid(found);
    },
  });
  const documents = createCachedGetter<DidDocument>({
    ttlMs: options.didCache?.ttlMs ?? DEFAULT_TTL_MS,
    store: options.didCache?.store,
    now: options.now,
    get: (did) => didResolver.resolve(did),
  });

  const resolveHandle = (input: string, opts?: ResolveOptions) =>
    handles.get(assertResolvableHandle(input, { allowTestTld: dev }), opts);
  const resolveDid = (input: string, opts?: ResolveOptions) => documents.get(assertSupportedDid(input), opts);
  const pdsOf = (doc: DidDocument) => getPdsEndpoint(doc, { allowHttp: dev, allowLoopback: dev });

  return {
    resolveHandle,
    resolveDid,
    async resolveIdentity(input, opts) {
      if (typeof input !== 'string')
        throw new IdentityError('IDENTITY_HANDLE_INVALID', 'Give a handle or a DID string.');
      const trimmed = input.trim();
      if (trimmed.startsWith('did:')) {
        const did = assertSupportedDid(trimmed);
        const didDocument = await resolveDid(did, opts);
        const pds = pdsOf(didDocument);
        const claimed = getClaimedHandle(didDocument);
        let handle: string | null = null;
        // ID-HANDLE-14: show the handle only while it verifies back to this DID.
        if (claimed !== null && !isReservedHandleTld(claimed, { allowTestTld: dev })) {
          try {
            if ((await resolveHandle(claimed, opts)) === did) handle = claimed;
          } catch (err) {
            if (opts?.signal?.aborted) throw err;
          }
        }
        return { did, handle, pds, didDocument };
      }
      const handle = assertResolvableHandle(trimmed, { allowTestTld: dev });
      const did = await handles.get(handle, opts);
      const didDocument = await resolveDid(did, opts);
      const pds = pdsOf(didDocument);
      // ID-HANDLE-11: the document must claim the handle we started from.
      const claimed = getClaimedHandle(didDocument);
      if (claimed !== handle) {
        throw new IdentityError(
          'IDENTITY_HANDLE_MISMATCH',
          `${handle} points to ${did}, but that DID document claims ${claimed ?? 'no handle'}; the handle is not verified.`,
        );
      }
      return { did, handle, pds, didDocument };
    },
  };
}
