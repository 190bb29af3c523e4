import { createMemoryNonceStore, type NonceStore } from '@relay/dpop';
import { createNodeIdentityResolver, createNodeSafeFetch } from '@relay/identity/node';
import {
  type ClientMetadata,
  Keyset,
  MemorySessionStore,
  MemoryStateStore,
  OAuthClient,
  type PendingAuthorization,
  type StoredSession,
} from '@relay/oauth-core';
import type { DriverAdapter } from '../driver-server.js';

interface Stores {
  state: MemoryStateStore<PendingAuthorization>;
  session: MemorySessionStore<StoredSession>;
  nonces: NonceStore;
}

function newStores(): Stores {
  return { state: new MemoryStateStore(), session: new MemorySessionStore(), nonces: createMemoryNonceStore() };
}

function refusal(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

/**
 * The reference driver for `@relay/oauth-core`: a thin adapter from the driver protocol to
 * `OAuthClient`, wired in dev mode to the network the suite names (loopback DNS, PLC directory,
 * host map). Everything it judges happens inside oauth-core; the adapter only translates.
 */
export function createRelayDriverAdapter(): DriverAdapter {
  let client: OAuthClient | undefined;
  let stores = newStores();
  /** did → the session id of its latest login (the protocol addresses sessions by DID). */
  const sessions = new Map<string, string>();

  const current = (): OAuthClient => {
    if (!client) throw refusal('NOT_CONFIGURED', 'POST /configure first.');
    return client;
  };
  const sessionId = (did: string): string => {
    const id = sessions.get(did);
    if (!id) throw refusal('NO_SESSION', `No session for ${did}.`);
    return id;
  };
  const info = async (did: string) => {
    const stored = await current().sessionStore.get(did, sessionId(did));
    if (!stored) throw refusal('NO_SESSION', `The session of ${did} is gone.`);
    return { did: stored.did, scope: stored.tokens.scope };
  };

  return {
    name: '@relay/oauth-core',
    async configure({ network, client: c, keepSessions }) {
      if (!keepSessions) {
        stores = newStores();
        sessions.clear();
      }
      const fetch = createNodeSafeFetch({ allowHttp: true, allowLoopback: true, hostMap: network.hostMap });
      const identity = createNodeIdentityResolver({
        dev: true,
        plcDirectoryUrl: network.plcDirectoryUrl,
        dnsServers: network.dnsServers,
        fetch,
      });
      const keyset = c.keys ? await Keyset.from(c.keys) : undefined;
      client = undefined;
      client = new OAuthClient({
        metadata: c.metadata as unknown as ClientMetadata,
        identity,
        fetch,
        dev: true,
        stores,
        ...(keyset ? { keyset } : {}),
      });
    },
    async authorize({ input, scope, state }) {
      const url = await current().authorize(input, {
        ...(scope !== undefined ? { scope } : {}),
        ...(state !== undefined ? { state } : {}),
      });
      return { url: url.href };
    },
    async callback({ query }) {
      const { session } = await current().callback(new URLSearchParams(query));
      sessions.set(session.did, session.sessionId);
      return info(session.did);
    },
    async request({ did, method, url, headers, body }) {
      const session = await current().restore(did, sessionId(did));
      const res = await session.fetch(url, {
        method,
        ...(headers ? { headers } : {}),
        ...(body !== undefined ? { body } : {}),
      });
      return { status: res.status, body: await res.text() };
    },
    async refresh({ did }) {
      const session = await current().restore(did, sessionId(did));
      await session.refresh();
      return info(did);
    },
    async revoke({ did }) {
      await current().revoke(did, sessionId(did));
    },
    session: ({ did }) => info(did),
  };
}
