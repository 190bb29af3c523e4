import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { serve } from '@hono/node-server';
import {
  buildClientMetadata,
  buildLoopbackClientId,
  Keyset,
  type Logger,
  loopbackClientMetadata,
  OAuthClient,
} from '@relay/oauth-core';
import type { Hono } from 'hono';
import { type DemoConfig, LEXICON_MAX_AUDIO_BYTES } from './config.js';
import { createDemoApp, DEMO_SCOPE, type DemoLogger } from './create-app.js';
import { DemoError } from './errors.js';
import { type LocalNetwork, type NetworkAccess, publicNetworkAccess, startLocalNetwork } from './local-network.js';
import { RedisWebSessionStore } from './redis-web-session-store.js';
import { SqliteWebSessionStore } from './sqlite-web-session-store.js';
import { WebSessions } from './web-sessions.js';

/** A running portal (and the local network it started, if any). */
export interface RunningDemo {
  /** Where to open the portal: `http://127.0.0.1:<port>` (or `PUBLIC_URL`). */
  url: string;
  port: number;
  config: DemoConfig;
  client: OAuthClient;
  network?: LocalNetwork;
  /** `sqlite` (with the file) or `redis`. */
  store: { kind: 'sqlite'; file: string } | { kind: 'redis'; url: string };
  app: Hono;
  stop(): Promise<void>;
}

export interface StartDemoOptions {
  logger?: DemoLogger & Logger;
  /** A network started by the caller (tests share one); it is not stopped by `stop()`. */
  network?: LocalNetwork;
  /** Called when `auto` falls back to testnet, with the reason. */
  onFallback?: (reason: string) => void;
}

interface Stores {
  state: OAuthClientStores['state'];
  session: OAuthClientStores['session'];
  nonces: OAuthClientStores['nonces'];
  lock: ConstructorParameters<typeof OAuthClient>[0]['lock'];
  web: SqliteWebSessionStore | RedisWebSessionStore;
  describe: RunningDemo['store'];
  close(): Promise<void>;
}
type OAuthClientStores = NonNullable<ConstructorParameters<typeof OAuthClient>[0]['stores']>;

/** The cookie secret kept in the data directory (0600), so sessions survive restarts. */
async function persistentSecret(dataDir: string): Promise<string> {
  const file = path.join(dataDir, 'cookie-secret');
  try {
    const existing = (await readFile(file, 'utf8')).trim();
    if (existing.length >= 32) return existing;
  } catch {}
  const secret = randomBytes(48).toString('base64url');
  await writeFile(file, `${secret}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return secret;
}

async function openStores(config: DemoConfig, local: boolean, logger?: Logger): Promise<Stores> {
  const encryption = config.storeEncryptionKey ? { current: { id: 'k1', key: config.storeEncryptionKey } } : undefined;
  if (config.redisUrl) {
    const { createRedisClient, RedisStores } = await import('@relay/store-redis');
    const redis = createRedisClient(config.redisUrl, {}, (err) =>
      logger?.warn?.('redis connection error', { error: err.message }),
    );
    // Fail at start, in words, rather than on the first visitor's request.
    // (events.once would reject on the first connection error; reconnection goes on until the timeout.)
    const ready = new Promise<void>((resolve) =>
      redis.status === 'ready' ? resolve() : redis.once('ready', () => resolve()),
    );
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new DemoError('STORE_UNAVAILABLE', `Redis at ${config.redisUrl} did not answer within 5 s (REDIS_URL).`),
          ),
        5_000,
      );
    });
    try {
      await Promise.race([ready, timeout]);
    } catch (err) {
      redis.disconnect();
      throw err;
    } finally {
      clearTimeout(timer);
    }
    const stores = await RedisStores.open({
      redis,
      prefix: config.redisPrefix,
      ...(encryption ? { encryption } : {}),
      ...(logger ? { logger } : {}),
    });
    return {
      state: stores.state,
      session: stores.session,
      nonces: stores.nonces,
      lock: stores.createLock(),
      web: new RedisWebSessionStore(redis, config.redisPrefix),
      describe: { kind: 'redis', url: config.redisUrl.replace(/\/\/[^@]*@/, '//***@') },
      close: async () => {
        await redis.quit().catch(() => redis.disconnect());
      },
    };
  }
  const { SqliteStores } = await import('@relay/store-sqlite');
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  // A local network is new on every start (new DIDs, new PDS): its sessions would be stale, so
  // they get a scratch file; sessions with a real network persist.
  const file = path.join(config.dataDir, local ? 'local-network.sqlite' : 'relay-demo.sqlite');
  if (local) await Promise.all(['', '-wal', '-shm'].map((s) => rm(`${file}${s}`, { force: true })));
  const stores = await SqliteStores.open({
    path: file,
    ...(encryption ? { encryption } : {}),
    ...(logger ? { logger } : {}),
  });
  return {
    state: stores.state,
    session: stores.session,
    nonces: stores.nonces,
    lock: stores.createLock(),
    web: new SqliteWebSessionStore(stores.database),
    describe: { kind: 'sqlite', file },
    close: async () => stores.close(),
  };
}

function loopbackHost(host: string): string {
  return host === '::1' || host === '[::1]' ? '[::1]' : '127.0.0.1';
}

/**
 * Starts the portal: the network (a local one unless `DEMO_NETWORK=public`), the stores (SQLite in
 * `DATA_DIR`, or Redis), the OAuth client (loopback in development, confidential with `PUBLIC_URL`)
 * and the HTTP server on `HOST:PORT`.
 */
export async function startDemo(config: DemoConfig, options: StartDemoOptions = {}): Promise<RunningDemo> {
  const logger = options.logger;
  let network = options.network;
  const ownsNetwork = network === undefined && config.network !== 'public';
  if (ownsNetwork) {
    network = await startLocalNetwork({
      kind: config.network === 'public' ? 'auto' : config.network,
      accounts: [{ handle: config.demoHandle, password: config.demoPassword }],
      ...(options.onFallback ? { onFallback: options.onFallback } : {}),
    });
  }
  const access: NetworkAccess =
    network?.access ?? publicNetworkAccess(config.plcDirectoryUrl ? { plcDirectoryUrl: config.plcDirectoryUrl } : {});
  const cleanups: Array<() => Promise<void>> = [];
  if (ownsNetwork && network) cleanups.push(() => (network as LocalNetwork).stop());
  const cleanup = async () => {
    for (const fn of cleanups.reverse()) await fn().catch(() => undefined);
  };
  try {
    const stores = await openStores(config, network !== undefined, logger);
    cleanups.push(() => stores.close());
    const secret =
      config.cookieSecret ??
      (network !== undefined ? randomBytes(48).toString('base64url') : await persistentSecret(config.dataDir));

    // Listen first: a loopback client's redirect URI carries the port actually bound.
    let handler: Hono | undefined;
    const server = serve({
      fetch: (req, env) => (handler ? handler.fetch(req, env) : new Response('starting', { status: 503 })),
      hostname: config.host,
      port: config.port,
    }) as Server;
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    );
    if (!server.listening) {
      await Promise.race([
        once(server, 'listening'),
        once(server, 'error').then(([err]) => {
          const e = err as NodeJS.ErrnoException;
          throw new Error(
            e.code === 'EADDRINUSE'
              ? `Port ${config.port} on ${config.host} is in use: set PORT to another port (or 0).`
              : e.message,
          );
        }),
      ]);
    }
    const port = (server.address() as AddressInfo).port;

    let client: OAuthClient;
    let url: string;
    let redirectUri: string | undefined;
    const common = {
      identity: access.identity,
      fetch: access.fetch(),
      stores: { state: stores.state, session: stores.session, nonces: stores.nonces },
      lock: stores.lock,
      dev: access.dev,
      ...(logger ? { logger } : {}),
    };
    if (config.publicUrl) {
      const keyset = await Keyset.from(config.clientPrivateKeys ?? []);
      const metadata = buildClientMetadata({
        clientId: `${config.publicUrl}/client-metadata.json`,
        redirectUris: [`${config.publicUrl}/callback`],
        scope: DEMO_SCOPE,
        keyset,
        jwksUri: `${config.publicUrl}/jwks.json`,
        clientName: 'Relay artist portal',
        clientUri: config.publicUrl,
      });
      client = new OAuthClient({ ...common, metadata, keyset });
      url = config.publicUrl;
    } else {
      url = `http://${loopbackHost(config.host)}:${port}`;
      redirectUri = `${url}/callback`;
      client = new OAuthClient({
        ...common,
        metadata: loopbackClientMetadata(buildLoopbackClientId({ redirectUris: [redirectUri], scope: DEMO_SCOPE })),
      });
    }
    const sessions = new WebSessions({ store: stores.web, secret, secure: url.startsWith('https:') });
    const app = createDemoApp({
      client,
      sessions,
      readFetch: access.fetch(),
      blobFetch: access.fetch({ maxBytes: LEXICON_MAX_AUDIO_BYTES, timeoutMs: 120_000 }),
      maxUploadBytes: config.maxUploadBytes,
      origin: url,
      canonicalHost: !config.publicUrl,
      ...(redirectUri ? { redirectUri } : {}),
      ...(logger ? { logger } : {}),
    });
    handler = app as unknown as Hono;
    return {
      url,
      port,
      config,
      client,
      ...(network ? { network } : {}),
      store: stores.describe,
      app: handler,
      stop: cleanup,
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
