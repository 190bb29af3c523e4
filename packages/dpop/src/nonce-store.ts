import { DpopError } from './errors.js';

/**
 * Where the latest `DPoP-Nonce` of each server (keyed by origin, e.g. `https://pds.example`) lives.
 * One store is shared by every session of a client (NONCE-04: nonces are per server, not per token).
 */
export interface NonceStore {
  /** The latest nonce seen from `origin` (scheme://host:port), or `undefined` if none yet. */
  get(origin: string): string | undefined | Promise<string | undefined>;
  /** Records the `DPoP-Nonce` a response from `origin` carried; the last writer wins. */
  set(origin: string, nonce: string): void | Promise<void>;
}

/**
 * Tracks origins whose nonce is unknown so that concurrent first requests are coalesced: one request
 * goes out (the probe), the others wait for its first response and then reuse the nonce it brought.
 */
export interface NonceGate {
  /**
   * `undefined`: nothing to wait for (origin already probed). `{ release }`: the caller is the probe and
   * must call `release()` once the first response is in (or the request failed). `{ wait }`: another
   * request is probing; await `wait`, then read the store again.
   */
  enter(origin: string):
    | undefined
    | {
        /** Ends the probe: waiting requests read the store again. */
        release: () => void;
      }
    | { wait: Promise<void> };
}

/** The registered symbol under which a store carries its gate (shared by every wrapper using the store). */
export const NONCE_GATE: unique symbol = Symbol.for('@relay/dpop.nonceGate') as never;

/** A nonce store that also coalesces first requests across every fetch wrapper that shares it. */
export type CoalescingNonceStore = NonceStore & { readonly [NONCE_GATE]: NonceGate };

/** Bounded LRU of origins → value; the only cache shape this package needs. */
function lru<V>(max: number) {
  const map = new Map<string, V>();
  return {
    get(k: string): V | undefined {
      const v = map.get(k);
      if (v !== undefined) {
        map.delete(k);
        map.set(k, v);
      }
      return v;
    },
    set(k: string, v: V) {
      map.delete(k);
      map.set(k, v);
      for (const first of map.keys()) {
        if (map.size <= max) break;
        map.delete(first);
      }
    },
    get size() {
      return map.size;
    },
  };
}

function checkMax(max: number, where: string): number {
  if (!Number.isInteger(max) || max < 1) throw new DpopError('DPOP_INVALID_OPTIONS', `${where}: max must be >= 1`);
  return max;
}

/** A gate instance; stores and fetch wrappers each hold their own (no module state). */
export function createNonceGate(max = 1000): NonceGate {
  const probed = lru<true>(checkMax(max, 'createNonceGate'));
  const inFlight = new Map<string, Promise<void>>();
  return {
    enter(origin) {
      if (probed.get(origin)) return undefined;
      const pending = inFlight.get(origin);
      if (pending) return { wait: pending };
      let release!: () => void;
      const wait = new Promise<void>((resolve) => {
        release = () => {
          if (inFlight.get(origin) === wait) inFlight.delete(origin);
          probed.set(origin, true);
          resolve();
        };
      });
      inFlight.set(origin, wait);
      return { release };
    },
  };
}

/**
 * Adds first-request coalescing to any `NonceStore` (e.g. one backed by Redis). Create ONE wrapped
 * store per process and pass it to every session's `createDpopFetch`, so that a burst of first requests
 * to a server costs one extra round trip in total, across sessions.
 */
export function withNonceCoalescing(store: NonceStore, options: { max?: number } = {}): CoalescingNonceStore {
  return {
    get: (origin) => store.get(origin),
    set: (origin, nonce) => store.set(origin, nonce),
    [NONCE_GATE]: createNonceGate(options.max),
  };
}

/** Options for `createMemoryNonceStore`. */
export interface MemoryNonceStoreOptions {
  /** Most origins remembered (default 1000); the least recently used is dropped first. */
  max?: number;
}

/** The default nonce store: an in-memory LRU by origin, with first-request coalescing built in. */
export function createMemoryNonceStore(options: MemoryNonceStoreOptions = {}): CoalescingNonceStore {
  const max = checkMax(options.max ?? 1000, 'createMemoryNonceStore');
  const nonces = lru<string>(max);
  return {
    get: (origin) => nonces.get(origin),
    set: (origin, nonce) => nonces.set(origin, nonce),
    [NONCE_GATE]: createNonceGate(max),
  };
}
