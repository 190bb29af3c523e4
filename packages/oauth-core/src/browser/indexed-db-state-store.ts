import type { Clock, StateStore } from '../stores/contracts.js';
import { type BrowserDatabase, STATES } from './browser-database.js';

interface StateEntry<V> {
  value: V;
  expiresAt: number;
}

/**
 * {@link StateStore} in IndexedDB: pending authorizations survive the navigation to the
 * authorization server and back. `take` reads and deletes in one readwrite transaction, which
 * IndexedDB runs one at a time per store, so of two tabs taking one `state` only one gets it
 * (CLIENT-STATE-02). Expired entries are never returned and are swept on every `set`.
 */
export class IndexedDbStateStore<V = unknown> implements StateStore<V> {
  readonly #db: BrowserDatabase;
  readonly #now: Clock;

  constructor(database: BrowserDatabase, options: { clock?: Clock } = {}) {
    this.#db = database;
    this.#now = options.clock ?? Date.now;
  }

  async set(key: string, value: V, ttlMs: number): Promise<void> {
    const now = this.#now();
    await this.#db.transact<void>([STATES], 'readwrite', (tx) => {
      const states = tx.objectStore(STATES);
      // The store owns expiry: sweep what has expired, then write.
      const sweep = states.index('expiresAt').openCursor(IDBKeyRange.upperBound(now));
      sweep.onsuccess = () => {
        const cursor = sweep.result;
        if (!cursor) return;
        cursor.delete();
        cursor.continue();
      };
      states.put({ value, expiresAt: now + ttlMs } satisfies StateEntry<V>, key);
    });
  }

  take(key: string): Promise<V | undefined> {
    return this.#db.transact<V>([STATES], 'readwrite', (tx, settle) => {
      const states = tx.objectStore(STATES);
      const read = states.get(key);
      read.onsuccess = () => {
        const entry = read.result as StateEntry<V> | undefined;
        if (entry === undefined) return;
        // CLIENT-STATE-02: single use; the delete commits with the read.
        states.delete(key);
        if (entry.expiresAt > this.#now()) settle(entry.value);
      };
    });
  }
}
