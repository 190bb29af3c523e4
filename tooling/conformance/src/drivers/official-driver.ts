import { createHash, randomBytes } from 'node:crypto';
import { Resolver } from 'node:dns/promises';
import type { DriverNetwork } from '../driver-protocol.js';
import type { DriverAdapter } from '../driver-server.js';
import { ConformanceError } from '../errors.js';

// The peer packages are optional: loaded only when this driver is used.
type OfficialModules = {
  client: typeof import('@atproto/oauth-client');
  jose: typeof import('@atproto/jwk-jose');
  handles: typeof import('@atproto-labs/handle-resolver');
};

async function loadModules(): Promise<OfficialModules> {
  try {
    const [client, jose, handles] = await Promise.all([
      import('@atproto/oauth-client'),
      import('@atproto/jwk-jose'),
      import('@atproto-labs/handle-resolver'),
    ]);
    return { client, jose, handles };
  } catch (err) {
    throw new ConformanceError(
      'PEER_MISSING',
      'The official-client driver needs @atproto/oauth-client 0.8.7, @atproto/jwk-jose and @atproto-labs/handle-resolver installed.',
      { cause: err },
    );
  }
}

class MapStore<V> {
  readonly map = new Map<string, V>();
  async get(key: string): Promise<V | undefined> {
    return this.map.get(key);
  }
  async set(key: string, value: V): Promise<void> {
    this.map.set(key, value);
  }
  async del(key: string): Promise<void> {
    this.map.delete(key);
  }
}

/**
 * The network layer only: `https://<name>/…` for names in the host map goes to their loopback
 * origin (the mock network's stand-in for DNS + TLS). Everything else passes through unchanged.
 */
function hostMapFetch(hostMap: Record<string, string>): typeof fetch {
  return async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const target = hostMap[url.hostname.toLowerCase()];
    if (!target) return fetch(request);
    const mapped = new URL(`${url.pathname}${url.search}`, target);
    const body = request.body ? await request.arrayBuffer() : undefined;
    return fetch(mapped, {
      method: request.method,
      headers: request.headers,
      redirect: request.redirect,
      ...(body ? { body } : {}),
      ...(request.signal ? { signal: request.signal } : {}),
    });
  };
}

function txtLookup(servers: string[]): (hostname: string) => Promise<string[] | null> {
  const resolver = new Resolver({ timeout: 3000, tries: 1 });
  resolver.setServers(servers);
  return async (hostname) => {
    try {
      return (await resolver.resolveTxt(hostname)).map((chunks) => chunks.join(''));
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'ENOTFOUND' || code === 'ENODATA') return null;
      throw err;
    }
  };
}

/**
 * The reference driver for the official `@atproto/oauth-client` 0.8.7 (the isomorphic core, as
 * its Node package builds it, which runs on Node 20): the client's own handle resolver
 * (DNS TXT + well-known), DID resolver and OAuth logic; the driver supplies only primitives —
 * the host-mapped fetch, a DNS TXT lookup aimed at the mock DNS server, keys, digest, randomness.
 */
export function createOfficialDriverAdapter(): DriverAdapter {
  let modules: OfficialModules | undefined;
  let client: import('@atproto/oauth-client').OAuthClient | undefined;
  let stores = { state: new MapStore<never>(), session: new MapStore<never>() };
  const current = () => {
    if (!client) throw Object.assign(new Error('POST /configure first.'), { code: 'NOT_CONFIGURED' });
    return client;
  };
  const info = async (did: string) => {
    const session = await current().restore(did, false);
    const token = await session.getTokenInfo(false);
    return { did: session.did, scope: token.scope };
  };
  const build = async (network: DriverNetwork, metadata: Record<string, unknown>, keys?: Record<string, unknown>[]) => {
    modules ??= await loadModules();
    const { client: oc, jose, handles } = modules;
    const fetch = hostMapFetch(network.hostMap);
    // The protocol lists keys oldest first; the official keyset signs new sessions with the first
    // usable key, so the newest goes first. "use" is dropped (it warns on private JWKs).
    const keyset = keys
      ? await Promise.all([...keys].reverse().map(({ use: _use, ...k }) => jose.JoseKey.fromJWK(k, String(k.kid))))
      : undefined;
    return new oc.OAuthClient({
      responseMode: 'query',
      clientMetadata: metadata as never,
      ...(keyset ? { keyset } : {}),
      allowHttp: true,
      fetch,
      plcDirectoryUrl: network.plcDirectoryUrl,
      handleResolver: new handles.AtprotoHandleResolver({ fetch, resolveTxt: txtLookup(network.dnsServers) }),
      stateStore: stores.state as never,
      sessionStore: stores.session as never,
      runtimeImplementation: {
        requestLock: oc.requestLocalLock,
        createKey: (algs: string[]) => jose.JoseKey.generate(algs),
        getRandomValues: (n: number) => randomBytes(n),
        digest: (bytes: Uint8Array, alg: { name: string }) => createHash(alg.name).update(bytes).digest(),
      },
    });
  };
  return {
    name: '@atproto/oauth-client',
    version: '0.8.7',
    async configure({ network, client: c, keepSessions }) {
      if (!keepSessions) stores = { state: new MapStore<never>(), session: new MapStore<never>() };
      client = undefined;
      client = await build(network, c.metadata, c.keys);
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
      return info(session.did);
    },
    async request({ did, method, url, headers, body }) {
      const session = await current().restore(did, 'auto');
      const u = new URL(url, 'http://pds.invalid');
      const res = await session.fetchHandler(`${u.pathname}${u.search}`, {
        method,
        ...(headers ? { headers } : {}),
        ...(body !== undefined ? { body } : {}),
      });
      return { status: res.status, body: await res.text() };
    },
    async refresh({ did }) {
      const session = await current().restore(did, false);
      await session.getTokenInfo(true);
      return info(did);
    },
    async revoke({ did }) {
      await current().revoke(did);
    },
    session: ({ did }) => info(did),
  };
}
