import { createHash, randomBytes } from 'node:crypto';
import { JoseKey } from '@atproto/jwk-jose';
import {
  atprotoLoopbackClientMetadata,
  type InternalStateData,
  OAuthClient,
  requestLocalLock,
  type Session,
  type SessionStore,
  type StateStore,
} from '@atproto/oauth-client';
import { buildLoopbackClientId } from '@relay/oauth-core';
import type { SharedRefPds } from './global-setup.js';
import { REDIRECT_URI, SCOPE } from './relay-client.js';

class MapStore<V> {
  readonly #map = new Map<string, V>();
  async get(key: string): Promise<V | undefined> {
    return this.#map.get(key);
  }
  async set(key: string, value: V): Promise<void> {
    this.#map.set(key, value);
  }
  async del(key: string): Promise<void> {
    this.#map.delete(key);
  }
}

/**
 * The official client (`@atproto/oauth-client` 0.8.7, the isomorphic core) on Node 20, set up like
 * `@atproto/oauth-client-node` sets it up (that package cannot load on Node 20: its undici 8 needs
 * Node ≥ 22.19). Same loopback client id, same PDS (XRPC handle resolution), same PLC directory.
 */
export function officialClient(pds: SharedRefPds, scope = SCOPE): OAuthClient {
  const clientId = buildLoopbackClientId({ redirectUris: [REDIRECT_URI], scope });
  const stateStore: StateStore = new MapStore<InternalStateData>();
  const sessionStore: SessionStore = new MapStore<Session>();
  return new OAuthClient({
    responseMode: 'query',
    clientMetadata: atprotoLoopbackClientMetadata(clientId as Parameters<typeof atprotoLoopbackClientMetadata>[0]),
    allowHttp: true,
    handleResolver: pds.pdsUrl,
    plcDirectoryUrl: pds.plcUrl,
    stateStore,
    sessionStore,
    runtimeImplementation: {
      requestLock: requestLocalLock,
      createKey: (algs) => JoseKey.generate(algs),
      getRandomValues: (length) => new Uint8Array(randomBytes(length)),
      digest: (bytes, algorithm) => new Uint8Array(createHash(algorithm.name).update(bytes).digest()),
    },
  });
}
