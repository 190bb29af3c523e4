import { randomUUID } from 'node:crypto';
import type { Lock, LockOptions } from '@relay/oauth-core';
import { RedisStoreError } from './errors.js';
import { lua, type RedisContext, requireDuration, requireString } from './redis-context.js';
import type { RedisStores } from './redis-stores.js';
import type { LockLease } from './types.js';

/** Options of `RedisStores.createLock`. */
export interface RedisLockOptions {
  /**
   * While `fn` runs, the lock key's TTL is kept this far ahead and renewed every third of it, up to
   * the caller's `leaseMs` in total. So a holder that crashes frees the key within `heartbeatMs`,
   * while a live holder keeps it for up to `leaseMs`. Default 5000.
   */
  heartbeatMs?: number;
  /** Longest pause between two attempts while waiting for a held key. Default 50. */
  maxPollMs?: number;
}

// KEYS[1] the lock, KEYS[2] its fence counter (same hash tag). SET NX PX with the owner's random id;
// the counter is incremented in the same script, so fences follow the order holders got the key.
const ACQUIRE = lua(`
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return redis.call('INCR', KEYS[2])
end
return 0
`);

// Compare-and-extend / compare-and-delete: only the owner's id touches the key, so a holder whose
// lease expired can neither extend nor free the next holder's lease.
const RENEW = lua(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`);
const RELEASE = lua(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A {@link Lock} across every process on the Redis (REFRESH-03): `SET NX PX` with a random owner
 * id, Lua compare-and-delete release, lease renewal while the holder runs (up to `leaseMs`), and a
 * per-key fence counter that session writes are checked against (`STORE_FENCED`).
 */
export class RedisLock implements Lock {
  readonly #ctx: RedisContext;
  readonly #heartbeatMs: number;
  readonly #maxPollMs: number;
  /** In-process waiters, woken when this instance releases a key (others are found by polling). */
  readonly #waiters = new Set<() => void>();

  constructor(stores: RedisStores, options: RedisLockOptions = {}) {
    this.#ctx = stores.context;
    this.#heartbeatMs = requireDuration(options.heartbeatMs ?? 5_000, 'heartbeatMs', 10);
    this.#maxPollMs = requireDuration(options.maxPollMs ?? 50, 'maxPollMs', 1);
  }

  #keys(key: string): [string, string] {
    return [this.#ctx.key('lock', key), this.#ctx.key('lock-fence', key)];
  }

  async withLock<T>(key: string, options: LockOptions, fn: (lease: LockLease) => Promise<T>): Promise<T> {
    requireString(key, 'lock key');
    const leaseMs = requireDuration(options?.leaseMs, 'leaseMs');
    const waitMs = requireDuration(options?.waitMs, 'waitMs', 0);
    const ttl = Math.ceil(Math.min(leaseMs, this.#heartbeatMs));
    const owner = randomUUID();
    const keys = this.#keys(key);
    const deadline = Date.now() + waitMs;
    let fence = 0;
    let leaseStart = 0;
    for (let attempt = 0; ; attempt++) {
      // Measured before sending: the server's expiry is never earlier than what we assume here.
      leaseStart = Date.now();
      fence = await this.#ctx.script<number>('take a lock', ACQUIRE, keys, [owner, ttl]);
      if (fence !== 0) break;
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        throw new RedisStoreError('LOCK_TIMEOUT', `Waited ${waitMs} ms for the lock "${key}" without getting it.`);
      }
      await this.#pause(Math.min(remaining, this.#maxPollMs, 2 ** attempt * (1 + Math.random())));
    }
    return this.#hold(key, keys, owner, fence, leaseStart, leaseMs, ttl, fn);
  }

  async #hold<T>(
    key: string,
    keys: [string, string],
    owner: string,
    token: number,
    leaseStart: number,
    leaseMs: number,
    ttl: number,
    fn: (lease: LockLease) => Promise<T>,
  ): Promise<T> {
    const leaseEnd = leaseStart + leaseMs;
    const lost = new AbortController();
    let finished = false;
    let validUntil = leaseStart + ttl;
    let renewTimer: ReturnType<typeof setTimeout> | undefined;
    let lostTimer = setTimeout(() => lost.abort(), validUntil - Date.now());
    const renew = async () => {
      if (lost.signal.aborted || finished) return;
      const startedAt = Date.now();
      const until = Math.min(leaseEnd, startedAt + ttl);
      let renewed: number;
      try {
        renewed = await this.#ctx.script<number>(
          'renew a lock',
          RENEW,
          [keys[0]],
          [owner, Math.max(1, Math.ceil(until - startedAt))],
        );
      } catch (err) {
        // Redis unreachable: the lease may still be valid; retry until it is not (lostTimer decides).
        this.#ctx.logger.warn?.('lock renewal failed', { key, error: (err as Error).message });
        if (!finished && !lost.signal.aborted) renewTimer = setTimeout(renew, Math.max(10, ttl / 6));
        return;
      }
      if (finished) return;
      // The key is gone or another holder has it: our lease lapsed before we renewed.
      if (renewed !== 1) return lost.abort();
      validUntil = until;
      clearTimeout(lostTimer);
      lostTimer = setTimeout(() => lost.abort(), validUntil - Date.now());
      schedule();
    };
    const schedule = () => {
      if (validUntil >= leaseEnd) return; // the caller's leaseMs is the most a holder may keep the key
      renewTimer = setTimeout(renew, Math.max(1, validUntil - Date.now() - (2 * ttl) / 3));
    };
    schedule();
    try {
      return await fn({ fence: { lockKey: key, token }, signal: lost.signal });
    } finally {
      finished = true;
      clearTimeout(renewTimer);
      clearTimeout(lostTimer);
      try {
        await this.#ctx.script('release a lock', RELEASE, [keys[0]], [owner]);
      } catch (err) {
        // The key expires on its own; the outcome of fn matters more than this failure.
        this.#ctx.logger.warn?.('lock release failed', { key, error: (err as Error).message });
      }
      for (const wake of this.#waiters) wake();
    }
  }

  #pause(ms: number): Promise<void> {
    let wake!: () => void;
    const woken = new Promise<void>((resolve) => {
      wake = resolve;
    });
    this.#waiters.add(wake);
    return Promise.race([sleep(ms), woken]).finally(() => this.#waiters.delete(wake));
  }
}
