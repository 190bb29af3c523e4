import {
  createDnsHandleResolver,
  createDohTxtLookup,
  createIdentityResolver,
  createParallelHandleResolver,
  createSafeFetch,
  createWellKnownHandleResolver,
  createXrpcHandleResolver,
  type FetchLike,
  type HandleResolver,
  type IdentityResolver,
} from '@relay/identity';
import { OAuthClient, type OAuthClientOptions } from '../client/oauth-client.js';
import { OAuthError } from '../errors.js';
import { BrowserDatabase } from './browser-database.js';
import { IndexedDbSessionStore } from './indexed-db-session-store.js';
import { IndexedDbStateStore } from './indexed-db-state-store.js';
import { NavigatorLock } from './navigator-lock.js';

/** How a browser turns handles into DIDs: it has no DNS of its own (ID-HANDLE-09). */
export type BrowserHandleResolution =
  /** `com.atproto.identity.resolveHandle` on a service you trust, e.g. `https://public.api.bsky.app`. */
  | { xrpc: string }
  /** DNS TXT over a DoH JSON endpoint, in parallel with HTTPS well-known (needs CORS on the handle's host). */
  | { doh: string }
  | HandleResolver;

/**
 * Options for {@link createBrowserOAuthClient}: those of {@link OAuthClientOptions} without the
 * parts the browser entry provides (IndexedDB stores, the Web Locks lock, non-extractable DPoP keys),
 * plus how to resolve handles.
 *
 * @example
 * ```ts
 * const client = await createBrowserOAuthClient({
 *   metadata,
 *   handleResolution: { xrpc: 'https://public.api.bsky.app' },
 * });
 * ```
 */
export interface BrowserOAuthClientOptions
  extends Omit<OAuthClientOptions, 'identity' | 'stores' | 'lock' | 'keyset' | 'dpopKeyStorage'> {
  /** Handle resolution; ignored when `identity` is given. */
  handleResolution?: BrowserHandleResolution;
  /** A complete identity resolver instead (then `handleResolution` and `plcDirectoryUrl` are unused). */
  identity?: IdentityResolver;
  /** The did:plc directory. Default `https://plc.directory`. */
  plcDirectoryUrl?: string;
  /** The IndexedDB database (default name `relay-oauth`), opened here unless given. */
  database?: BrowserDatabase | string;
}

function handleResolverFor(resolution: BrowserHandleResolution, fetch: FetchLike): HandleResolver {
  if ('xrpc' in resolution) return createXrpcHandleResolver({ service: resolution.xrpc, fetch });
  if ('doh' in resolution) {
    return createParallelHandleResolver({
      dns: createDnsHandleResolver({ txt: createDohTxtLookup({ url: resolution.doh, fetch }) }),
      wellKnown: createWellKnownHandleResolver({ fetch }),
    });
  }
  if (typeof (resolution as Partial<HandleResolver>).resolve === 'function') return resolution;
  throw new OAuthError('INVALID_OPTIONS', 'handleResolution must be { xrpc: url }, { doh: url } or a HandleResolver.');
}

/**
 * An `OAuthClient` for browser apps (public clients): pending authorizations and sessions in
 * IndexedDB, the refresh lock over `navigator.locks` (shared by every tab), non-extractable
 * WebCrypto DPoP keys stored as `CryptoKey` records, and handle resolution over XRPC or DoH.
 */
export async function createBrowserOAuthClient(options: BrowserOAuthClientOptions): Promise<OAuthClient> {
  const { handleResolution, identity, plcDirectoryUrl, database, ...rest } = options;
  const fetch = rest.fetch ?? createSafeFetch();
  let resolver = identity;
  if (!resolver) {
    if (!handleResolution) {
      throw new OAuthError(
        'INVALID_OPTIONS',
        'A browser has no DNS: give handleResolution ({ xrpc: service } or { doh: url }) or an identity resolver.',
      );
    }
    resolver = createIdentityResolver({
      fetch,
      handleResolver: handleResolverFor(handleResolution, fetch),
      ...(plcDirectoryUrl ? { plcDirectoryUrl } : {}),
      dev: rest.dev ?? false,
    });
  }
  const db = database instanceof BrowserDatabase ? database : await BrowserDatabase.open(database);
  return new OAuthClient({
    ...rest,
    fetch,
    identity: resolver,
    stores: { state: new IndexedDbStateStore(db, { clock: rest.clock }), session: new IndexedDbSessionStore(db) },
    lock: new NavigatorLock({ database: db }),
    // DPOP-03: the private key never leaves WebCrypto; IndexedDB keeps the CryptoKey itself.
    dpopKeyStorage: 'crypto-key',
  });
}
