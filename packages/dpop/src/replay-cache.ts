import { DpopError } from './errors.js';

/**
 * Remembers proofs already accepted (DPOP-SRV-02). `add` must be atomic: it records `key` until
 * `expiresAt` (epoch seconds) and resolves `true`, or resolves `false` if `key` is already recorded
 * and not yet expired at `now`. A shared implementation (e.g. Redis `SET NX EXAT`) lets several server
 * processes reject each other's replays.
 */
export interface ReplayCache {
  /**
   * Atomically records `key` (`jkt:jti`) until `expiresAt` (epoch seconds). Returns `true` when the key
   * was new, `false` when it was already present and unexpired (a replay, DPOP-SRV-02).
   */
  add(key: string, expiresAt: number, now: number): boolean | Promise<boolean>;
}

/** Options for `createMemoryReplayCache`. */
export interface MemoryReplayCacheOptions {
  /** Most entries kept (default 100 000); past it the oldest are dropped first (DPOP-SRV-02: cap the store). */
  max?: number;
}

/** A process-local replay cache: a bounded map of `jkt:jti` → expiry. One instance per verifier. */
export function createMemoryReplayCache(options: MemoryReplayCacheOptions = {}): ReplayCache {
  const max = options.max ?? 100_000;
  if (!Number.isInteger(max) || max < 1) {
    throw new DpopError('DPOP_INVALID_OPTIONS', 'createMemoryReplayCache: max must be a positive integer');
  }
  const seen = new Map<string, number>();
  return {
    add(key, expiresAt, now) {
      const until = seen.get(key);
      if (until !== undefined && until >= now) return false;
      seen.delete(key);
      seen.set(key, expiresAt);
      // insertion order is arrival order, so the front holds the oldest (first to expire) entries
      for (const k of seen.keys()) {
        if (seen.size <= max) break;
        seen.delete(k);
      }
      return true;
    },
  };
}
