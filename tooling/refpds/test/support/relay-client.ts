import type { LookupAddress } from 'node:dns';
import {
  createWellKnownHandleResolver,
  createXrpcHandleResolver,
  type FetchLike,
  type HandleResolver,
  type IdentityResolver,
} from '@relay/identity';
import { createNodeIdentityResolver, createNodeSafeFetch } from '@relay/identity/node';
import { buildLoopbackClientId, loopbackClientMetadata, OAuthClient, type OAuthClientOptions } from '@relay/oauth-core';
import { inject } from 'vitest';
import { createRefPdsAccount, loginWithProviderApi, type RefPdsAccount } from '../../src/index.js';
import type { SharedRefPds } from './global-setup.js';

export const SCOPE = 'atproto repo:app.relay.track blob:*/*';
export const TRACK = 'app.relay.track';
/** Port-less loopback redirect: the authorization server accepts any port on it (LOOPBACK-05). */
export const REDIRECT_URI = 'http://127.0.0.1/callback';

/** The shared PDS, or the reason it is absent (tests skip with it). */
export function sharedPds(): { pds: SharedRefPds | null; skipReason: string } {
  const pds = inject('refpds');
  const missing = inject('refpdsMissing');
  return { pds, skipReason: missing ?? '' };
}

export function requirePds(): SharedRefPds {
  const pds = inject('refpds');
  if (!pds) throw new Error('the shared reference PDS is not running');
  return pds;
}

export function freshAccount(pds: SharedRefPds): Promise<RefPdsAccount> {
  return createRefPdsAccount(pds.pdsUrl);
}

/**
 * Name resolution for the client's Node transport: `localhost` and the mapped handle hosts are
 * 127.0.0.1, every other name does not exist — no lookup ever leaves the machine.
 */
function loopbackLookup(names: ReadonlySet<string>) {
  return async (hostname: string): Promise<readonly LookupAddress[]> => {
    if (hostname === 'localhost' || names.has(hostname)) return [{ address: '127.0.0.1', family: 4 }];
    throw Object.assign(new Error(`refpds tests resolve only localhost and mapped handles, not ${hostname}`), {
      code: 'ENOTFOUND',
    });
  };
}

export type HandleVia = 'xrpc' | 'well-known';

export interface RelayClientOptions {
  scope?: string;
  /** How handles resolve: the PDS's `com.atproto.identity.resolveHandle`, or `https://<handle>/.well-known/atproto-did`. */
  handleVia?: HandleVia;
  /** Handles whose `https://<handle>` is mapped to the PDS (well-known resolution). */
  wellKnownHandles?: readonly string[];
  redirectUri?: string;
  /** Wraps the client's fetch (to observe what goes over the wire). Identity lookups are not wrapped. */
  wrapFetch?: (inner: FetchLike) => FetchLike;
  extra?: Partial<OAuthClientOptions>;
}

/**
 * `@relay/oauth-core`'s `OAuthClient` as an app on a developer machine would set it up against the
 * reference PDS: a loopback client (`http://localhost?redirect_uri=…&scope=…`), dev mode (http
 * loopback PDS and issuer), the Node safe fetch allowed onto loopback, the local PLC directory.
 *
 * Well-known resolution: the PDS answers `/.well-known/atproto-did` by the `Host` header (virtual
 * hosting), so the mapping keeps the handle as host name and only swaps scheme and port
 * (`https://alice.test` → `http://alice.test:<pds port>`), with `alice.test` resolving to 127.0.0.1.
 * Mapping to `http://127.0.0.1:<port>` would send `Host: 127.0.0.1:<port>` and find nobody.
 */
export function relayClient(
  pds: SharedRefPds,
  options: RelayClientOptions = {},
): {
  client: OAuthClient;
  identity: IdentityResolver;
  clientId: string;
} {
  const scope = options.scope ?? SCOPE;
  const handles = options.wellKnownHandles ?? [];
  const hostMap = Object.fromEntries(handles.map((h) => [h, `http://${h}:${pds.port}`]));
  const lookup = loopbackLookup(new Set(handles));
  const fetch = createNodeSafeFetch({ allowHttp: true, allowLoopback: true, hostMap, lookup });
  const handleResolver: HandleResolver =
    (options.handleVia ?? 'xrpc') === 'xrpc'
      ? createXrpcHandleResolver({ service: pds.pdsUrl, fetch })
      : createWellKnownHandleResolver({ fetch });
  const identity = createNodeIdentityResolver({ dev: true, plcDirectoryUrl: pds.plcUrl, fetch, handleResolver });
  const clientId = buildLoopbackClientId({ redirectUris: [options.redirectUri ?? REDIRECT_URI], scope });
  const client = new OAuthClient({
    metadata: loopbackClientMetadata(clientId),
    identity,
    fetch: options.wrapFetch ? options.wrapFetch(fetch) : fetch,
    dev: true,
    ...options.extra,
  });
  return { client, identity, clientId };
}

/** authorize → the provider's sign-in + consent API → callback. */
export async function relayLogin(
  client: OAuthClient,
  account: RefPdsAccount,
  options: { input?: string; scope?: string; state?: string } = {},
) {
  const url = await client.authorize(options.input ?? account.handle, {
    ...(options.scope ? { scope: options.scope } : {}),
    ...(options.state ? { state: options.state } : {}),
  });
  const signedIn = await loginWithProviderApi(url, { username: account.handle, password: account.password });
  return { url, signedIn, ...(await client.callback(signedIn.params)) };
}
