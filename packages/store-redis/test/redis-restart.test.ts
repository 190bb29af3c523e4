import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisClient, RedisSessionStore, type RedisStores, RedisStores as Stores } from '../src/index.js';
import { codeOf } from './support/redis.js';
import { OwnRedisServer } from './support/redis-server.js';

// A redis-server of this test's own, on its own loopback port, crashed (SIGKILL) mid-run while a
// writer keeps updating sessions, then started again on the same port and data directory.

let server: OwnRedisServer;
beforeAll(async () => {
  server = await OwnRedisServer.start();
});
afterAll(async () => {
  await server.stop();
});

const did = 'did:plc:ewvi7nxzyoun6zhxrhs64oiz';
const key = { id: 'k1', key: new Uint8Array(32).fill(3) };
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
type Session = { n: number; tokens: { accessToken: string; refreshToken: string } };
const record = (id: number, n: number): Session => ({
  n,
  tokens: { accessToken: `at-${id}-${n}`, refreshToken: `rt-${id}-${n}` },
});

async function waitUntilUp(stores: RedisStores): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if ((await codeOf(() => stores.session.list(did))) === 'no error') return;
    await sleep(50);
  }
  throw new Error('the stores did not recover');
}

describe('Redis stopped mid-run and started again', () => {
  it('calls fail with STORE_UNAVAILABLE while it is down, recover after, and no session is lost or corrupted', async () => {
    const redis = createRedisClient(server.url);
    const stores = await Stores.open({
      redis,
      prefix: 'fault:',
      encryption: { current: key },
      commandTimeoutMs: 1_000,
    });
    const sessions = new RedisSessionStore<Session>(stores);
    const ids = Array.from({ length: 10 }, (_, i) => i);
    // What the writer knows: the last version Redis acknowledged, and one it tried after that.
    const acked = new Map<number, number>();
    const attempted = new Map<number, number>();
    for (const id of ids) {
      await sessions.set(did, `s${id}`, record(id, 0));
      acked.set(id, 0);
    }
    let writing = true;
    const failures: string[] = [];
    const writer = (async () => {
      for (let n = 1; writing; n++) {
        for (const id of ids) {
          attempted.set(id, n);
          try {
            await sessions.set(did, `s${id}`, record(id, n));
            acked.set(id, n);
          } catch (err) {
            failures.push((err as { code?: string }).code ?? String(err));
          }
        }
        await sleep(5);
      }
    })();

    await sleep(150);
    await server.kill();
    await sleep(100);
    // While it is down: every kind of call fails with the typed error.
    const down = await Promise.all([
      codeOf(() => stores.session.get(did, 's1')),
      codeOf(() => sessions.set(did, 's1', record(1, -1))),
      codeOf(() => stores.session.list(did)),
      codeOf(() => stores.state.set('st', {} as never, 60_000)),
      codeOf(() => stores.state.take('st')),
      codeOf(() => stores.nonces.set('https://as.example', 'n')),
      codeOf(() => stores.createLock().withLock('k', { leaseMs: 1_000, waitMs: 500 }, async () => 1)),
    ]);
    expect(down).toEqual(Array(7).fill('STORE_UNAVAILABLE'));

    await server.start();
    await waitUntilUp(stores);
    await sleep(150); // the writer gets some writes through again
    writing = false;
    await writer;

    expect(failures.length).toBeGreaterThan(0);
    expect(new Set(failures)).toEqual(new Set(['STORE_UNAVAILABLE']));
    expect((await stores.session.list(did)).sort()).toEqual(ids.map((id) => `s${id}`).sort());
    for (const id of ids) {
      const got = await sessions.get(did, `s${id}`);
      // Every session opens (not corrupted) and holds the last acknowledged version, or the one
      // write whose reply was lost in the crash.
      expect([acked.get(id), attempted.get(id)]).toContain(got?.n);
      expect(got).toEqual(record(id, got?.n as number));
    }
    // And the lock works again.
    expect(await stores.createLock().withLock('k', { leaseMs: 1_000, waitMs: 1_000 }, async () => 'ok')).toBe('ok');
    redis.disconnect();
  }, 60_000);
});

describe('Redis that stops answering (SIGSTOP) without closing the connection', () => {
  it('calls fail with STORE_UNAVAILABLE after commandTimeoutMs, and work again once it answers', async () => {
    const redis = createRedisClient(server.url);
    const stores = await Stores.open({ redis, prefix: 'paused:', commandTimeoutMs: 300 });
    await stores.nonces.set('https://as.example', 'before');
    server.pause();
    try {
      const err = await stores.nonces.get('https://as.example').catch((e: unknown) => e);
      expect((err as { code?: string }).code).toBe('STORE_UNAVAILABLE');
      expect((err as Error).message).toMatch(/did not answer within 300 ms/);
    } finally {
      server.resume();
    }
    let value: string | undefined;
    for (let i = 0; i < 100 && value === undefined; i++) {
      value = await stores.nonces.get('https://as.example').catch(() => undefined);
      if (value === undefined) await sleep(50);
    }
    expect(value).toBe('before');
    redis.disconnect();
  }, 30_000);
});
