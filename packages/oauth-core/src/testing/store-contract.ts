import { OAuthError } from '../errors.js';
import type { Lock, LockLease, SessionStore, StateStore } from '../stores/contracts.js';

/** The two functions of a test runner the kit needs (vitest, jest, node:test, mocha all fit). */
export interface ContractTestApi {
  /** Groups tests (vitest's / jest's `describe`). */
  describe(name: string, fn: () => void): void;
  /** Declares one test with an optional timeout (vitest's / jest's `it`). */
  it(name: string, fn: () => Promise<void>, timeoutMs?: number): void;
}

/**
 * Factories for the stores under test. Each call must return a store over an EMPTY namespace
 * (a new prefix, database or file), so tests do not see each other's data.
 */
export interface StoreContractFactories {
  /** A new {@link StateStore} over an empty namespace; omit to skip the state-store tests. */
  stateStore?: () => Promise<StateStore<unknown>> | StateStore<unknown>;
  /** A new {@link SessionStore} over an empty namespace; omit to skip the session-store tests. */
  sessionStore?: () => Promise<SessionStore<unknown>> | SessionStore<unknown>;
  /** Two locks sharing one namespace, as two processes would (a lock is per client instance). */
  lockPair?: () => Promise<[Lock, Lock]> | [Lock, Lock];
  /**
   * Stores that implement fencing: a lock and a session store over one namespace. A write carrying a
   * holder's fence must be refused (`STORE_FENCED`) once a newer holder of that key exists.
   */
  fencedPair?: () => Promise<[Lock, SessionStore<unknown>]> | [Lock, SessionStore<unknown>];
}

class ContractViolation extends Error {
  override readonly name = 'ContractViolation';
}

function check(ok: boolean, message: string): void {
  if (!ok) throw new ContractViolation(message);
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Takes `key` and holds it until `release()`. `started` resolves once the holder is inside, so a
 * test never guesses how long a backend (a network round trip for Redis) needs to grant the lock.
 */
function hold(lock: Lock, key: string, options: { leaseMs: number; waitMs: number }) {
  let release!: () => void;
  let entered!: () => void;
  const started = new Promise<void>((r) => (entered = r));
  const done = lock.withLock(key, options, () => {
    entered();
    return new Promise<void>((r) => (release = r));
  });
  return { started, done, release: () => release() };
}

const SAMPLE = {
  dpopKey: { kty: 'EC', crv: 'P-256', x: 'x-value', y: 'y-value', d: 'secret' },
  tokens: { access: 'at', refresh: 'rt', expiresAt: 1_900_000_000_000 },
  scope: 'atproto repo:app.relay.track',
  list: [1, 'two', { three: true }],
  nothing: null,
  unicode: 'Zoë ☺',
};

/**
 * Registers the contract tests of the store contracts with your test runner. Every store
 * package runs this against its real backend.
 *
 * @example
 * ```ts
 * import { describe, it } from 'vitest';
 * import { MemoryLock, MemorySessionStore, MemoryStateStore } from '@relay/oauth-core';
 * import { defineStoreContractTests } from '@relay/oauth-core/testing';
 *
 * defineStoreContractTests('memory', {
 *   stateStore: () => new MemoryStateStore(),
 *   sessionStore: () => new MemorySessionStore(),
 *   lockPair: () => { const l = new MemoryLock(); return [l, l]; },
 * }, { describe, it });
 * ```
 */
export function defineStoreContractTests(name: string, factories: StoreContractFactories, t: ContractTestApi): void {
  t.describe(`${name}: store contracts`, () => {
    const { stateStore, sessionStore, lockPair, fencedPair } = factories;
    if (stateStore) {
      t.describe('StateStore', () => {
        t.it('set then take returns an equal JSON value', async () => {
          const s = await stateStore();
          await s.set('state-1', SAMPLE, 60_000);
          check(same(await s.take('state-1'), SAMPLE), 'take did not return what set stored');
        });
        t.it('CLIENT-STATE-02: take is single-use: a second take resolves undefined', async () => {
          const s = await stateStore();
          await s.set('state-2', SAMPLE, 60_000);
          await s.take('state-2');
          check((await s.take('state-2')) === undefined, 'a state was returned twice');
        });
        t.it('CLIENT-STATE-02: of 20 concurrent takes exactly one gets the value', async () => {
          const s = await stateStore();
          await s.set('state-3', SAMPLE, 60_000);
          const results = await Promise.all(Array.from({ length: 20 }, () => s.take('state-3')));
          const got = results.filter((r) => r !== undefined).length;
          check(got === 1, `expected exactly 1 take to win, ${got} did`);
        });
        t.it('an unknown key resolves undefined', async () => {
          const s = await stateStore();
          check((await s.take('never-set')) === undefined, 'unknown key returned a value');
        });
        t.it('an expired entry is never returned', async () => {
          const s = await stateStore();
          await s.set('state-4', SAMPLE, 30);
          await sleep(120);
          check((await s.take('state-4')) === undefined, 'an expired state was returned');
        });
        t.it('keys with separators and unicode do not collide', async () => {
          const s = await stateStore();
          await s.set('a:b', { v: 1 }, 60_000);
          await s.set('a', { v: 2 }, 60_000);
          await s.set('é/☺', { v: 3 }, 60_000);
          check(same(await s.take('a:b'), { v: 1 }), 'a:b');
          check(same(await s.take('a'), { v: 2 }), 'a');
          check(same(await s.take('é/☺'), { v: 3 }), 'unicode key');
        });
      });
    }
    if (sessionStore) {
      t.describe('SessionStore', () => {
        const did = 'did:plc:ewvi7nxzyoun6zhxrhs64oiz';
        t.it('get of an unknown session resolves undefined; delete of one is a no-op', async () => {
          const s = await sessionStore();
          check((await s.get(did, 'none')) === undefined, 'unknown session returned a value');
          await s.delete(did, 'none');
        });
        t.it('set then get returns an equal JSON value; set again replaces it whole', async () => {
          const s = await sessionStore();
          await s.set(did, 's1', SAMPLE);
          check(same(await s.get(did, 's1'), SAMPLE), 'get did not return what set stored');
          await s.set(did, 's1', { replaced: true });
          check(same(await s.get(did, 's1'), { replaced: true }), 'upsert did not replace the whole record');
        });
        t.it('several sessions per DID are listed and deleted one by one', async () => {
          const s = await sessionStore();
          await s.set(did, 'phone', { n: 1 });
          await s.set(did, 'laptop', { n: 2 });
          await s.set('did:web:other.example.com', 'phone', { n: 3 });
          check(same((await s.list(did)).sort(), ['laptop', 'phone']), 'list did not return both sessions');
          await s.delete(did, 'phone');
          check((await s.get(did, 'phone')) === undefined, 'deleted session still readable');
          check(same(await s.get(did, 'laptop'), { n: 2 }), 'deleting one session touched another');
          check(same(await s.get('did:web:other.example.com', 'phone'), { n: 3 }), 'DIDs are not isolated');
          check(same(await s.list(did), ['laptop']), 'list still shows a deleted session');
        });
        t.it('mutating a returned value does not change the stored one', async () => {
          const s = await sessionStore();
          await s.set(did, 's2', { tokens: { access: 'a' } });
          const got = (await s.get(did, 's2')) as { tokens: { access: string } };
          got.tokens.access = 'mutated';
          check(same(await s.get(did, 's2'), { tokens: { access: 'a' } }), 'stored value was mutated through a read');
        });
      });
    }
    if (lockPair) {
      t.describe('Lock', () => {
        t.it('REFRESH-03: holders of one key never overlap, across both lock instances', async () => {
          const [a, b] = await lockPair();
          let inside = 0;
          let maxInside = 0;
          const run = (lock: Lock) =>
            lock.withLock('session:1', { leaseMs: 5_000, waitMs: 10_000 }, async () => {
              inside++;
              maxInside = Math.max(maxInside, inside);
              await sleep(5);
              inside--;
            });
          await Promise.all(Array.from({ length: 8 }, (_, i) => run(i % 2 ? a : b)));
          check(maxInside === 1, `${maxInside} holders were inside the lock at once`);
        });
        t.it('different keys do not block each other', async () => {
          const [a, b] = await lockPair();
          const held = hold(a, 'k1', { leaseMs: 5_000, waitMs: 1_000 });
          await held.started;
          const other = await b.withLock('k2', { leaseMs: 5_000, waitMs: 200 }, async () => 'ran');
          check(other === 'ran', 'another key was blocked');
          held.release();
          await held.done;
        });
        t.it('the lock is released when fn throws, and the error reaches the caller', async () => {
          const [a, b] = await lockPair();
          const boom = new Error('boom');
          let caught: unknown;
          try {
            await a.withLock('k3', { leaseMs: 5_000, waitMs: 1_000 }, async () => {
              throw boom;
            });
          } catch (err) {
            caught = err;
          }
          check(caught === boom, 'the error thrown inside the lock was not passed through');
          check((await b.withLock('k3', { leaseMs: 5_000, waitMs: 500 }, async () => 7)) === 7, 'lock not released');
        });
        t.it('waiting past waitMs rejects with LOCK_TIMEOUT and never runs fn', async () => {
          const [a, b] = await lockPair();
          const held = hold(a, 'k4', { leaseMs: 10_000, waitMs: 1_000 });
          await held.started;
          let ran = false;
          let code: string | undefined;
          try {
            await b.withLock('k4', { leaseMs: 10_000, waitMs: 100 }, async () => {
              ran = true;
            });
          } catch (err) {
            // By code too: a store may load OAuthError from another entry point or build (ESM/CJS) of this package.
            code = err instanceof OAuthError ? err.code : ((err as { code?: string } | null)?.code ?? String(err));
          }
          held.release();
          await held.done;
          check(code === 'LOCK_TIMEOUT', `expected LOCK_TIMEOUT, got ${code}`);
          check(!ran, 'fn ran without the lock');
        });
        t.it('an expired lease lets the next holder in, and the stale holder does not evict it', async () => {
          const [a, b] = await lockPair();
          const staleHold = hold(a, 'k5', { leaseMs: 100, waitMs: 1_000 });
          await staleHold.started;
          const releaseStale = staleHold.release;
          const stale = staleHold.done;
          let order: string[] = [];
          let releaseSecond!: () => void;
          const second = b.withLock('k5', { leaseMs: 5_000, waitMs: 3_000 }, async () => {
            order.push('second-in');
            await new Promise<void>((r) => (releaseSecond = r));
          });
          await sleep(400);
          check(order.includes('second-in'), 'the lease did not expire');
          releaseStale();
          await stale;
          // The stale holder's release must not have freed the key: a third caller still waits.
          let thirdIn = false;
          const third = a.withLock('k5', { leaseMs: 5_000, waitMs: 3_000 }, async () => {
            thirdIn = true;
          });
          await sleep(100);
          check(!thirdIn, 'the stale holder released a lock it no longer owned');
          releaseSecond();
          await Promise.all([second, third]);
          check(thirdIn, 'the third holder never got in');
          order = [];
        });
        t.it('each holder gets a fencing token greater than every earlier holder of the key', async () => {
          const [a, b] = await lockPair();
          const tokens: number[] = [];
          for (const lock of [a, b, a, b]) {
            await lock.withLock('k6', { leaseMs: 5_000, waitMs: 1_000 }, async (lease: LockLease) => {
              check(lease.fence.lockKey === 'k6', 'the fence names another key');
              tokens.push(lease.fence.token);
            });
          }
          check(
            tokens.every((v, i) => i === 0 || v > (tokens[i - 1] as number)),
            `fence tokens did not increase: ${tokens.join(',')}`,
          );
        });
        t.it("a holder's signal is aborted when its lease ends", async () => {
          const [a] = await lockPair();
          const aborted = await a.withLock('k7', { leaseMs: 80, waitMs: 1_000 }, async (lease: LockLease) => {
            await sleep(400);
            return lease.signal.aborted;
          });
          check(aborted, 'the lease ended but the signal was not aborted');
        });
      });
    }
    if (fencedPair) {
      t.describe('fencing', () => {
        t.it('a holder whose lease expired cannot overwrite the session a newer holder wrote', async () => {
          const [lock, store] = await fencedPair();
          const did = 'did:plc:ewvi7nxzyoun6zhxrhs64oiz';
          let staleFence: LockLease['fence'] | undefined;
          let releaseStale!: () => void;
          const stale = lock.withLock('refresh:s', { leaseMs: 100, waitMs: 1_000 }, async (lease: LockLease) => {
            staleFence = lease.fence;
            await new Promise<void>((r) => (releaseStale = r));
          });
          await sleep(250);
          await lock.withLock('refresh:s', { leaseMs: 5_000, waitMs: 2_000 }, async (lease: LockLease) => {
            await store.set(did, 's', { v: 'new' }, { fence: lease.fence });
          });
          let code: string | undefined;
          try {
            await store.set(did, 's', { v: 'stale' }, { fence: staleFence as LockLease['fence'] });
          } catch (err) {
            // By code too: a store may load OAuthError from another entry point or build (ESM/CJS) of this package.
            code = err instanceof OAuthError ? err.code : ((err as { code?: string } | null)?.code ?? String(err));
          }
          releaseStale();
          await stale;
          check(code === 'STORE_FENCED', `expected STORE_FENCED, got ${code}`);
          check(same(await store.get(did, 's'), { v: 'new' }), 'the stale write replaced the newer session');
        });
      });
    }
  });
}
