import { randomUUID } from 'node:crypto';
import type { Lock, LockOptions } from '@relay/oauth-core';
import type BetterSqlite3 from 'better-sqlite3';
import { SqliteStoreError } from './errors.js';
import { requireDuration, requireString, type SqliteContext } from './sqlite-context.js';
import type { SqliteStores } from './sqlite-stores.js';
import type { LockLease } from './types.js';

/** Options of `SqliteStores.createLock`. */
export interface SqliteLockOptions {
  /**
   * While `fn` runs, the lease row is kept valid this far ahead and renewed every third of it,
   * up to the caller's `leaseMs` in total. So a holder that crashes frees the key within
   * `heartbeatMs`, while a live holder keeps it for up to `leaseMs`. Default 5000.
   */
  heartbeatMs?: number;
  /** Longest pause between two attempts while waiting for a held key. Default 50. */
  maxPollMs?: number;
}

interface TakeParams {
  key: string;
  owner: string;
  expiresAt: number;
  now: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A {@link Lock} across every process that opens the same database file (REFRESH-03): one
 * `relay_locks` row per key holds the owner, its lease expiry and the key's fence counter.
 * Taking the lock is a single upsert that succeeds only if the row is free or its lease has
 * expired, and it increments the fence in the same statement. Release and renewal match on the
 * owner's random id, so a holder whose lease expired can neither free nor extend the next holder's.
 */
export class SqliteLock implements Lock {
  readonly #ctx: SqliteContext;
  readonly #heartbeatMs: number;
  readonly #maxPollMs: number;
  readonly #take: BetterSqlite3.Statement<[TakeParams], number>;
  readonly #renew: BetterSqlite3.Statement<[number, string, string, number]>;
  readonly #release: BetterSqlite3.Statement<[string, string]>;
  /** In-process waiters, woken when this instance releases a key (others are found by polling). */
  readonly #waiters = new Set<() => void>();

  constructor(stores: SqliteStores, options: SqliteLockOptions = {}) {
    this.#ctx = stores.context;
    this.#heartbeatMs = requireDuration(options.heartbeatMs ?? 5_000, 'heartbeatMs', 10);
    this.#maxPollMs = requireDuration(options.maxPollMs ?? 50, 'maxPollMs', 1);
    const db = this.#ctx.db;
    this.#take = db
      .prepare(
        `INSERT INTO relay_locks (key, owner, fence, expires_at) VALUES (@key, @owner, 1, @expiresAt)
         ON CONFLICT (key) DO UPDATE SET owner = @owner, fence = relay_locks.fence + 1, expires_at = @expiresAt
         WHERE relay_locks.owner = '' OR relay_locks.expires_at <= @now
         RETURNING fence`,
      )
      .pluck() as BetterSqlite3.Statement<[TakeParams], number>;
    this.#renew = db.prepare('UPDATE relay_locks SET expires_at = ? WHERE key = ? AND owner = ? AND expires_at > ?');
    this.#release = db.prepare("UPDATE relay_locks SET owner = '', expires_at = 0 WHERE key = ? AND owner = ?");
  }

  async withLock<T>(key: string, options: LockOptions, fn: (lease: LockLease) => Promise<T>): Promise<T> {
    requireString(key, 'lock key');
    const leaseMs = requireDuration(options?.leaseMs, 'leaseMs');
    const waitMs = requireDuration(options?.waitMs, 'waitMs', 0);
    const ttl = Math.min(leaseMs, this.#heartbeatMs);
    const owner = randomUUID();
    const deadline = Date.now() + waitMs;
    let fence: number | undefined;
    let leaseStart = 0;
    for (let attempt = 0; ; attempt++) {
      leaseStart = Date.now();
      const now = this.#ctx.now();
      fence = this.#ctx.run('take a lock', () => this.#take.get({ key, owner, expiresAt: now + ttl, now }));
      if (fence !== undefined) break;
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        throw new SqliteStoreError('LOCK_TIMEOUT', `Waited ${waitMs} ms for the lock "${key}" without getting it.`);
      }
      const pause = Math.min(remaining, this.#maxPollMs, 2 ** attempt * (1 + Math.random()));
      await this.#pause(pause);
    }
    return this.#hold(key, owner, fence, leaseStart, leaseMs, ttl, fn);
  }

  async #hold<T>(
    key: string,
    owner: string,
    token: number,
    leaseStart: number,
    leaseMs: number,
    ttl: number,
    fn: (lease: LockLease) => Promise<T>,
  ): Promise<T> {
    const leaseEnd = leaseStart + leaseMs;
    const lost = new AbortController();
    let validUntil = leaseStart + ttl;
    let renewTimer: ReturnType<typeof setTimeout> | undefined;
    let lostTimer = setTimeout(() => lost.abort(), validUntil - Date.now());
    const renew = () => {
      if (lost.signal.aborted) return;
      const startedAt = Date.now();
      const until = Math.min(leaseEnd, startedAt + ttl);
      let renewed = false;
      try {
        const now = this.#ctx.now();
        renewed = this.#renew.run(now + (until - startedAt), key, owner, now).changes === 1;
      } catch (err) {
        this.#ctx.logger.warn?.('lock renewal failed', { key, error: (err as Error).message });
      }
      // The row was taken over (our lease had lapsed) or the database failed: the lease is gone.
      if (!renewed) return lost.abort();
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
      clearTimeout(renewTimer);
      clearTimeout(lostTimer);
      try {
        // Only this owner's row is freed: an expired holder cannot release its successor's lease.
        this.#release.run(key, owner);
      } catch (err) {
        // The lease expires on its own; the outcome of fn matters more than this failure.
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
