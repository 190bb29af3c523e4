import { OAuthError } from '../errors.js';
import type { Lock, LockLease, LockOptions } from '../stores/contracts.js';
import type { BrowserDatabase } from './browser-database.js';

/**
 * Options for {@link NavigatorLock}.
 *
 * @example
 * ```ts
 * const database = await BrowserDatabase.open();
 * const lock = new NavigatorLock({ database });
 * ```
 */
export interface NavigatorLockOptions {
  /** The database whose fence counters the lock bumps (share it with `IndexedDbSessionStore`). */
  database: BrowserDatabase;
  /** Default `navigator.locks`. */
  locks?: LockManager;
}

/**
 * {@link Lock} over the Web Locks API (`navigator.locks`): one holder per key across every tab and
 * worker of the origin, e.g. one token refresh per session (REFRESH-03). The browser frees the
 * lock when a tab closes or crashes. The lock is held until `fn` settles or its lease ends,
 * whichever is first: then the lease `signal` aborts and the next waiter gets in with a higher
 * fence token (counted in IndexedDB), so a fencing session store refuses the stale holder's write.
 */
export class NavigatorLock implements Lock {
  readonly #db: BrowserDatabase;
  readonly #locks: LockManager | undefined;

  constructor(options: NavigatorLockOptions) {
    this.#db = options.database;
    this.#locks = options.locks ?? (typeof navigator === 'undefined' ? undefined : navigator.locks);
  }

  async withLock<T>(key: string, options: LockOptions, fn: (lease: LockLease) => Promise<T>): Promise<T> {
    const locks = this.#locks;
    if (!locks) {
      throw new OAuthError('STORE_UNAVAILABLE', 'navigator.locks is missing (it needs a secure context: https).');
    }
    // Web Lock names are per origin: the database name keeps separate clients apart.
    const name = `relay:${this.#db.name}:${key}`;
    const waiting = new AbortController();
    const waitTimer = setTimeout(() => waiting.abort(), options.waitMs);
    let work: Promise<T> | undefined;
    try {
      await locks.request(name, { signal: waiting.signal }, async () => {
        clearTimeout(waitTimer);
        const token = await this.#db.nextFence(key);
        const lost = new AbortController();
        let leaseTimer: ReturnType<typeof setTimeout> | undefined;
        const leaseEnded = new Promise<void>((resolve) => {
          leaseTimer = setTimeout(() => {
            lost.abort();
            resolve();
          }, options.leaseMs);
        });
        work = fn({ fence: { lockKey: key, token }, signal: lost.signal });
        // Hold the Web Lock until fn settles or the lease ends; fn's own result is awaited below.
        await Promise.race([work.then(noop, noop), leaseEnded]);
        clearTimeout(leaseTimer);
      });
    } catch (err) {
      if (work === undefined && waiting.signal.aborted) {
        throw new OAuthError('LOCK_TIMEOUT', `Waited ${options.waitMs} ms for the lock "${key}" without getting it.`);
      }
      if (work === undefined) {
        throw err instanceof OAuthError
          ? err
          : new OAuthError('STORE_ERROR', `Taking the lock "${key}" failed.`, { cause: err });
      }
    } finally {
      clearTimeout(waitTimer);
    }
    return work as Promise<T>;
  }
}

function noop(): void {}
