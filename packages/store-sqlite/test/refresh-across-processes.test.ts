import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqliteStores } from '../src/index.js';
import { sqliteFixture } from './support/sqlite.js';
import { clientFor, clientMetadata, login, METADATA_INPUT, Testnet } from './support/testnet-login.js';
import { startWorker, type Worker } from './support/workers.js';

// Real processes: each worker is its own Node process with its own OAuthClient, SqliteLock and
// connection, loading the built packages. The mock network (testnet) runs here, in the parent.

let net: Testnet;
const fx = sqliteFixture();

beforeAll(async () => {
  net = await Testnet.start();
  const { redirectUris, clientId } = METADATA_INPUT;
  expect(clientMetadata().client_id).toBe(clientId);
  expect(redirectUris.length).toBe(1);
  net.registerClient(clientMetadata());
});
afterAll(async () => {
  await net.stop();
  fx.cleanup();
});

async function expiredSession(stores: SqliteStores) {
  const alice = await net.createAccount({ handle: `alice${Date.now()}.test` });
  const client = clientFor(net, { stores, lock: stores.createLock() });
  const { session } = await login(client, alice.handle);
  // The access token is dead at the PDS and, as far as the stored session says, expired too.
  const stored = await stores.session.get(session.did, session.sessionId);
  if (!stored) throw new Error('login did not store the session');
  await stores.session.set(session.did, session.sessionId, {
    ...stored,
    tokens: { ...stored.tokens, expiresAt: Date.now() - 60_000 },
  });
  net.grants.expireAccessTokens(session.did);
  return { did: session.did, sessionId: session.sessionId, before: stored.tokens };
}

describe('REFRESH-03: one refresh across processes sharing one SQLite file', () => {
  it('4 worker processes call session.fetch on one expired session: 1 refresh request, 0 invalid_grant, 4 successes', async () => {
    const path = fx.file();
    const stores = await fx.openTyped(path);
    const { did, sessionId, before } = await expiredSession(stores);
    net.log.length = 0;
    const workers: Worker[] = Array.from({ length: 4 }, () =>
      startWorker({
        mode: 'refresh',
        path,
        endpoints: net.endpoints,
        metadataInput: METADATA_INPUT,
        did,
        sessionId,
      }),
    );
    await Promise.all(workers.map((w) => w.next('ready')));
    const results = workers.map((w) => w.next<{ status?: number; body?: { did: string }; error?: string }>('done'));
    for (const w of workers) w.send({ type: 'go' });
    const outcomes = await Promise.all(results);
    await Promise.all(workers.map((w) => w.exited));

    expect(outcomes.map((o) => o.error ?? o.status)).toEqual([200, 200, 200, 200]);
    expect(outcomes.every((o) => o.body?.did === did)).toBe(true);
    // One refresh request in all: no second refresh, and no use_dpop_nonce retry either, because the
    // AS nonce the parent's login stored is read from the shared nonce store by every worker.
    const refreshes = net.requests('token').filter((r) => r.form?.grant_type?.[0] === 'refresh_token');
    expect(refreshes.map((r) => r.status)).toEqual([200]);
    expect(net.requests().filter((r) => r.error === 'invalid_grant')).toEqual([]);
    // The single refresh's tokens are what every process now reads from the store.
    const after = await stores.session.get(did, sessionId);
    expect(after?.tokens.refreshToken).not.toBe(before.refreshToken);
    expect(after?.tokens.accessToken).not.toBe(before.accessToken);
  }, 60_000);
});

describe('a lock holder killed with SIGKILL', () => {
  it('its lease expires and a worker in another process gets the lock with a higher fence', async () => {
    const path = fx.file();
    const stores = await fx.open(path);
    const key = 'relay-refresh:killed-holder';
    const holder = startWorker({ mode: 'hold-lock', path, key, heartbeatMs: 300 });
    const { fence: heldFence } = await holder.next<{ fence: number }>('held');
    // While the holder lives (and renews), nobody else gets in.
    const blocked = await stores
      .createLock()
      .withLock(key, { leaseMs: 1_000, waitMs: 700 }, async () => 'ran')
      .catch((err: { code?: string }) => err.code);
    expect(blocked).toBe('LOCK_TIMEOUT');

    holder.child.kill('SIGKILL');
    expect(await holder.exited).toBe(null);
    const taker = startWorker({ mode: 'take-lock', path, key, waitMs: 10_000 });
    const { fence } = await taker.next<{ fence: number }>('took');
    expect(fence).toBeGreaterThan(heldFence);
    await taker.exited;
  }, 60_000);
});

describe('a writer process killed with SIGKILL mid-write', () => {
  it('leaves the file consistent: integrity_check ok, every session opens whole', async () => {
    const path = fx.file();
    const keyHex = '11'.repeat(32);
    const key = { id: 'k1', key: Uint8Array.from(Buffer.from(keyHex, 'hex')) };
    (await fx.open(path, { encryption: { current: key } })).close();
    const writer = startWorker({ mode: 'write-loop', path, keyHex });
    await writer.next('writing');
    writer.child.kill('SIGKILL');
    expect(await writer.exited).toBe(null);
    const stores = await fx.open(path, { encryption: { current: key } });
    expect(stores.database.pragma('integrity_check', { simple: true })).toBe('ok');
    expect((await stores.session.list('did:plc:writer')).sort()).toEqual(
      Array.from({ length: 10 }, (_, i) => `s${i}`).sort(),
    );
    for (let id = 0; id < 10; id++) {
      const got = (await stores.session.get('did:plc:writer', `s${id}`)) as {
        n: number;
        tokens: { accessToken: string };
      };
      expect(got.tokens.accessToken).toBe(`at-${id}-${got.n}`);
      expect(got.n).toBeGreaterThanOrEqual(5);
    }
  }, 60_000);
});
