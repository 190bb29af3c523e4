import { IdentityError } from './errors.js';

/**
 * The small async store behind every cache (`createCachedGetter`). Implementations may be sync or
 * async; values they return must be the values they were given. `ttlMs` is how long `get` may
 * return the value; a store may forget it earlier.
 */
export interface CacheStore<V> {
  /** The stored value, or `undefined` when absent or expired. */
  get(key: string): V | undefined | Promise<V | undefined>;
  /** Stores `value` for `ttlMs` milliseconds, replacing any previous value. */
  set(key: string, value: V, ttlMs: number): void | Promise<void>;
  /** Forgets `key`; deleting an absent key is not an error. */
  delete(key: string): void | Promise<void>;
}

/** Options for `createMemoryStore`. */
export interface MemoryStoreOptions {
  /** Least-recently-used entries are dropped past this size. Default `1000`. */
  readonly maxEntries?: number;
  /** Clock in ms (inject one in tests). Default `Date.now`. */
  readonly now?: () => number;
}

/** An in-memory `CacheStore` with per-entry TTL and LRU eviction; state lives on the instance. */
export function createMemoryStore<V>(options: MemoryStoreOptions = {}): CacheStore<V> {
  const maxEntries = options.maxEntries ?? 1000;
  if (!Number.isInteger(maxEntries) || maxEntries < 1) {
    throw new IdentityError('INVALID_OPTIONS', `maxEntries must be a positive integer, got ${maxEntries}.`);
  }
  const now = options.now ?? Date.now;
  const entries = new Map<string, { value: V; expiresAt: number }>();
  return {
    get(key) {
      const entry = entries.get(key);
      if (!entry) return undefined;
      entries.delete(key);
      if (entry.expiresAt <= now()) return undefined;
      entries.set(key, entry); // most recently used goes last
      return entry.value;
    },
    set(key, value, ttlMs) {
      entries.delete(key);
      if (!(ttlMs > 0)) return;
      entries.set(key, { value, expiresAt: now() + ttlMs });
      while (entries.size > maxEntries) {
        const oldest = entries.keys().next().value as string;
        entries.delete(oldest);
      }
    },
    delete(key) {
      entries.delete(key);
    },
  };
}
