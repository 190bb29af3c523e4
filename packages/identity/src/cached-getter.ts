import { abortable } from './abortable.js';
import { type CacheStore, createMemoryStore } from './memory-store.js';

/** What the getter receives besides the key. */
export interface GetterContext<V> {
  /** The value currently stored for the key (possibly stale per `isStale`), if any. Sessions refresh from it. */
  readonly previous: V | undefined;
}

/** Options for `createCachedGetter`. */
export interface CachedGetterOptions<V> {
  /** Produces a fresh value. Throwing means "no value": errors are never stored. */
  readonly get: (key: string, context: GetterContext<V>) => Promise<V>;
  /** How long a value may be served from the store, in ms (or computed per value). */
  readonly ttlMs: number | ((value: V, key: string) => number);
  /** Where values live. Default: `createMemoryStore({ now })`. */
  readonly store?: CacheStore<V>;
  /** A stored value for which this returns true is refreshed instead of returned. */
  readonly isStale?: (key: string, value: V) => boolean | Promise<boolean>;
  /** Clock for the default store. Default `Date.now`. */
  readonly now?: () => number;
}

/** Per-call options for `CachedGetter.get`. */
export interface CachedGetOptions {
  /**
   * Skip the stored value and fetch fresh. Such a call still joins a lookup that is already
   * fetching for the key (that lookup started no earlier than the stored value would have, and
   * waiting for it costs nothing), but never a plain read that could return the stored value.
   */
  readonly noCache?: boolean;
  /** Aborts this caller's wait only; the shared lookup keeps running for the others. */
  readonly signal?: AbortSignal;
}

/** A single-flight cached getter: see `createCachedGetter`. */
export interface CachedGetter<V> {
  /**
   * The value for `key`: the stored one if fresh, else the result of the one lookup running for the
   * key (started now if none is). Rejects with the getter's error, which is never stored.
   */
  get(key: string, options?: CachedGetOptions): Promise<V>;
  /** Forgets the stored value (an in-flight lookup still completes and stores its result). */
  delete(key: string): Promise<void>;
}

/**
 * The one caching primitive of the toolkit (identity caches here; metadata caches and session
 * refresh in `@relay/oauth-core`). Guarantees:
 *
 * - single flight: at most one `get` (the getter) runs per key; concurrent callers share it;
 * - errors are never stored: the next call tries again;
 * - `noCache` bypasses the stored value (see `CachedGetOptions.noCache` for coalescing);
 * - `isStale(key, value)` turns a stored value into a refresh, and the getter receives the
 *   stored value as `previous`;
 * - a caller's `signal` only abandons that caller's wait, never the shared lookup.
 */
export function createCachedGetter<V>(options: CachedGetterOptions<V>): CachedGetter<V> {
  const store = options.store ?? createMemoryStore<V>({ now: options.now });
  const ttl = typeof options.ttlMs === 'function' ? options.ttlMs : () => options.ttlMs as number;
  // Two in-flight maps: `reading` may answer from the store; `fetching` always calls the getter.
  // A plain read that misses goes through `fetching`, so one key never has two getters running.
  const reading = new Map<string, Promise<V>>();
  const fetching = new Map<string, Promise<V>>();

  // INVARIANT: between `map.get(key)` and `map.set(key, p)` there is no `await`, so two callers in
  // the same tick can never both start a lookup. The async work happens inside `p`.
  function singleFlight(map: Map<string, Promise<V>>, key: string, run: () => Promise<V>): Promise<V> {
    const existing = map.get(key);
    if (existing) return existing;
    const p = run();
    map.set(key, p);
    const clear = () => {
      if (map.get(key) === p) map.delete(key);
    };
    p.then(clear, clear); // also marks the rejection handled when every caller has aborted
    return p;
  }

  const refresh = (key: string) =>
    singleFlight(fetching, key, async () => {
      const previous = (await store.get(key)) ?? undefined;
      const value = await options.get(key, { previous });
      // Stored before `fetching` is cleared, so a newcomer sees either the lookup or its value.
      await store.set(key, value, ttl(value, key));
      return value;
    });

  const read = (key: string) =>
    singleFlight(reading, key, async () => {
      const stored = await store.get(key);
      if (stored !== undefined && !(await options.isStale?.(key, stored))) return stored;
      return refresh(key);
    });

  return {
    get(key, opts) {
      return abortable(opts?.noCache ? refresh(key) : read(key), opts?.signal);
    },
    async delete(key) {
      await store.delete(key);
    },
  };
}
