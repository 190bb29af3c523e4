import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createRedisClient, RedisStoreError, RedisStores } from '../src/index.js';
import { codeOf, REDIS_URL, redisFixture } from './support/redis.js';

const fx = redisFixture('behaviour');
const raw = new Redis(REDIS_URL);
afterAll(async () => {
  raw.disconnect();
  await fx.cleanup();
});
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const did = 'did:plc:ewvi7nxzyoun6zhxrhs64oiz';

describe('key layout', () => {
  it('every key sits under the prefix, with the id as a hash tag; braces and % in ids are escaped', async () => {
    const s = await fx.stores();
    await s.state.set('st{a}%b', { v: 1 }, 60_000);
    await s.session.set(did, 'phone', { v: 2 });
    await s.nonces.set('https://pds.example', 'n-1');
    const keys = (await raw.keys(`${s.prefix}*`)).sort();
    expect(keys).toEqual(
      [
        `${s.prefix}nonce:{https://pds.example}`,
        `${s.prefix}sessions:{${did}}`,
        `${s.prefix}state:{st%7Ba%7D%25b}`,
      ].sort(),
    );
    expect(await s.state.take('st{a}%b')).toEqual({ v: 1 });
  });

  it('a state is stored with a PX expiry of its ttl (Redis expires it, not a sweeper)', async () => {
    const s = await fx.stores();
    await s.state.set('ttl', { v: 1 }, 30_000);
    const pttl = await raw.pttl(`${s.prefix}state:{ttl}`);
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(30_000);
  });

  it('NONCE-04: nonces are per origin, shared by every RedisStores on the prefix, and expire', async () => {
    const a = await fx.stores();
    const b = await RedisStores.open({ redis: fx.client(), prefix: a.prefix, nonceTtlMs: 5_000 });
    await b.nonces.set('https://as.example', 'as-nonce');
    await b.nonces.set('https://pds.example', 'pds-nonce');
    expect(await a.nonces.get('https://as.example')).toBe('as-nonce');
    expect(await a.nonces.get('https://pds.example')).toBe('pds-nonce');
    expect(await a.nonces.get('https://other.example')).toBeUndefined();
    const pttl = await raw.pttl(`${a.prefix}nonce:{https://as.example}`);
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(5_000);
  });

  it('delete removes the session and its fence record in one step', async () => {
    const s = await fx.stores();
    await s.createLock().withLock('k', { leaseMs: 5_000, waitMs: 1_000 }, async (lease) => {
      await s.session.set(did, 'a', { v: 1 }, { fence: lease.fence });
    });
    expect(await raw.hkeys(`${s.prefix}session-fences:{${did}}`)).toEqual(['a']);
    await s.session.delete(did, 'a');
    expect(await raw.exists(`${s.prefix}sessions:{${did}}`, `${s.prefix}session-fences:{${did}}`)).toBe(0);
  });
});

describe('lock leases', () => {
  it('a live holder keeps the key past heartbeatMs by renewing it, and its signal stays quiet', async () => {
    const s = await fx.stores();
    const other = await RedisStores.open({ redis: fx.client(), prefix: s.prefix });
    const lock = s.createLock({ heartbeatMs: 150 });
    const result = await lock.withLock('renewed', { leaseMs: 10_000, waitMs: 1_000 }, async (lease) => {
      // Three heartbeats later, another process still cannot get in.
      const code = await codeOf(() =>
        other.createLock().withLock('renewed', { leaseMs: 1_000, waitMs: 600 }, async () => undefined),
      );
      const pttl = await raw.pttl(`${s.prefix}lock:{renewed}`);
      return { code, aborted: lease.signal.aborted, pttl };
    });
    expect(result.code).toBe('LOCK_TIMEOUT');
    expect(result.aborted).toBe(false);
    expect(result.pttl).toBeGreaterThan(0);
    expect(result.pttl).toBeLessThanOrEqual(150);
  });

  it('renewal stops at leaseMs: the signal aborts and the next holder gets in', async () => {
    const s = await fx.stores();
    const lock = s.createLock({ heartbeatMs: 100 });
    let release!: () => void;
    let aborted!: Promise<void>;
    const first = lock.withLock('capped', { leaseMs: 400, waitMs: 1_000 }, async (lease) => {
      aborted = new Promise<void>((resolve) => lease.signal.addEventListener('abort', () => resolve()));
      await new Promise<void>((resolve) => (release = resolve));
    });
    await sleep(20);
    const second = await s.createLock().withLock('capped', { leaseMs: 1_000, waitMs: 3_000 }, async (lease) => {
      await aborted; // by the time another holder is in, the first one has been told
      return lease.fence.token;
    });
    expect(second).toBe(2);
    release();
    await first;
  });

  it('a holder whose key was taken over learns it at its next renewal (signal aborted early)', async () => {
    const s = await fx.stores();
    const lock = s.createLock({ heartbeatMs: 300 });
    const started = Date.now();
    const abortedAfter = await lock.withLock('taken', { leaseMs: 10_000, waitMs: 1_000 }, async (lease) => {
      // Simulate a lapse: the key disappears and another process takes it.
      await raw.del(`${s.prefix}lock:{taken}`);
      await raw.set(`${s.prefix}lock:{taken}`, 'someone-else', 'PX', 10_000);
      await new Promise<void>((resolve) => lease.signal.addEventListener('abort', () => resolve()));
      return Date.now() - started;
    });
    expect(abortedAfter).toBeLessThan(10_000);
    // The stale holder's release did not free the other owner's key.
    expect(await raw.get(`${s.prefix}lock:{taken}`)).toBe('someone-else');
  });
});

describe('fencing on a standalone server', () => {
  it('REFRESH-03: a stale holder is refused as soon as a newer holder has the lock, before it writes', async () => {
    const s = await fx.stores();
    await s.session.set(did, 's', { v: 'original' });
    let staleFence!: { lockKey: string; token: number };
    let releaseStale!: () => void;
    const stale = s.createLock().withLock('refresh:s', { leaseMs: 100, waitMs: 1_000 }, async (lease) => {
      staleFence = lease.fence;
      await new Promise<void>((r) => (releaseStale = r));
    });
    await sleep(200);
    await s.createLock().withLock('refresh:s', { leaseMs: 5_000, waitMs: 1_000 }, async () => {
      // The newer holder has not written anything yet.
      expect(await codeOf(() => s.session.set(did, 's', { v: 'stale' }, { fence: staleFence }))).toBe('STORE_FENCED');
    });
    releaseStale();
    await stale;
    expect(await s.session.get(did, 's')).toEqual({ v: 'original' });
  });

  it('a fence of another lock key does not block the write', async () => {
    const s = await fx.stores();
    await s.createLock().withLock('a', { leaseMs: 5_000, waitMs: 1_000 }, async () => undefined);
    await s.createLock().withLock('a', { leaseMs: 5_000, waitMs: 1_000 }, async () => undefined);
    await s.session.set(did, 'x', { v: 1 }, { fence: { lockKey: 'b', token: 1 } });
    expect(await s.session.get(did, 'x')).toEqual({ v: 1 });
  });
});

describe('typed errors', () => {
  it('bad arguments are INVALID_INPUT / INVALID_OPTIONS and name what to fix', async () => {
    const s = await fx.stores();
    expect(await codeOf(() => RedisStores.open({ redis: {} as never }))).toBe('INVALID_OPTIONS');
    expect(await codeOf(() => s.state.set(42 as never, {}, 1_000))).toBe('INVALID_INPUT');
    expect(await codeOf(() => s.state.set('k', {}, 0))).toBe('INVALID_INPUT');
    expect(await codeOf(() => s.session.set(did, 's', undefined as never))).toBe('INVALID_INPUT');
    // a CryptoKey (dpopKeyStorage: 'crypto-key') would be stored as {} by JSON: refused instead
    const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
    expect(await codeOf(() => s.session.set(did, 'ck', { dpopKey: { privateKey: pair.privateKey } }))).toBe(
      'INVALID_INPUT',
    );
    expect(await s.session.get(did, 'ck')).toBeUndefined();
    expect(await codeOf(() => s.createLock().withLock('k', { leaseMs: Number.NaN, waitMs: 1 }, async () => 1))).toBe(
      'INVALID_INPUT',
    );
    const err = await s.state.set('k', {}, -5).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RedisStoreError);
    expect((err as Error).message).toMatch(/ttlMs must be/);
  });

  it('a key of the wrong type is STORE_ERROR, and the message does not carry the value', async () => {
    const s = await fx.stores();
    await raw.set(`${s.prefix}sessions:{${did}}`, 'secret-token-value');
    const err = await s.session.get(did, 's').catch((e: unknown) => e);
    expect((err as RedisStoreError).code).toBe('STORE_ERROR');
    expect((err as Error).message).toMatch(/WRONGTYPE/);
    expect((err as Error).message).not.toMatch(/secret-token-value/);
  });

  it('with nothing listening, every call fails with STORE_UNAVAILABLE instead of hanging', async () => {
    const redis = createRedisClient('redis://127.0.0.1:1', { retryStrategy: () => 50 });
    const s = await RedisStores.open({ redis, prefix: 'unreachable:', commandTimeoutMs: 500 });
    await sleep(100);
    const codes = await Promise.all([
      codeOf(() => s.state.set('k', {} as never, 1_000)),
      codeOf(() => s.state.take('k')),
      codeOf(() => s.session.get(did, 's')),
      codeOf(() => s.session.set(did, 's', {} as never)),
      codeOf(() => s.session.list(did)),
      codeOf(() => s.nonces.get('https://as.example')),
      codeOf(() => s.createLock().withLock('k', { leaseMs: 1_000, waitMs: 1_000 }, async () => 1)),
    ]);
    expect(codes).toEqual(Array(7).fill('STORE_UNAVAILABLE'));
    redis.disconnect();
  });
});

describe('lease arithmetic', () => {
  it('a fractional leaseMs renews to its very end without a Redis error (whole milliseconds)', async () => {
    const warnings: string[] = [];
    const s = await fx.stores({ logger: { warn: (message) => warnings.push(message) } });
    const aborted = await s
      .createLock({ heartbeatMs: 60 })
      .withLock('fractional', { leaseMs: 250.5, waitMs: 1_000 }, async (lease) => {
        await new Promise<void>((resolve) => lease.signal.addEventListener('abort', () => resolve()));
        return lease.signal.aborted;
      });
    expect(aborted).toBe(true);
    expect(warnings).toEqual([]);
  });
});
