// The storage contracts of @relay/oauth-core. A store package (@relay/store-sqlite,
// @relay/store-redis, or your own) implements these and runs the contract kit from
// `@relay/oauth-core/testing`. Every method may be called by many processes at once.
//
// Values are plain JSON-serialisable objects. They hold DPoP private keys and tokens: treat
// them as secrets (the store packages can seal them at rest).

/** Injectable time source (epoch milliseconds), for TTLs and tests. */
export type Clock = () => number;

/**
 * Pending authorizations, keyed by the OAuth `state` (CLIENT-PAR-09).
 *
 * - `set` is create-or-replace; the entry expires `ttlMs` after it was set. The store owns expiry:
 *   an expired entry must never be returned, and the store removes it eventually (GC is the store's job).
 * - `take` is **atomic and single-use** (CLIENT-STATE-02): it removes and returns the entry; of two
 *   concurrent `take`s of one key, across processes, at most one gets the value.
 */
export interface StateStore<V = unknown> {
  set(key: string, value: V, ttlMs: number): Promise<void>;
  take(key: string): Promise<V | undefined>;
}

/**
 * Sessions, keyed by account DID and a session id (one per device/login), so one account may be
 * signed in several times (ID-HANDLE-14: sessions are keyed by DID, never by handle).
 *
 * - `set` is an upsert of the whole record: last writer wins, readers never see half a record.
 * - `get` of an unknown pair resolves `undefined`; `delete` of one is a no-op.
 * - `list(did)` returns the session ids currently stored for the DID, in any order.
 * - Sessions do not expire inside the store: the client deletes them (sign-out, dead refresh).
 */
export interface SessionStore<V = unknown> {
  get(did: string, sessionId: string): Promise<V | undefined>;
  set(did: string, sessionId: string, value: V): Promise<void>;
  delete(did: string, sessionId: string): Promise<void>;
  list(did: string): Promise<string[]>;
}

export interface LockOptions {
  /** How long the holder may keep the lock before others may take it (crash safety). */
  leaseMs: number;
  /** How long to wait for the lock before failing with `LOCK_TIMEOUT`. */
  waitMs: number;
}

/**
 * Mutual exclusion by key, e.g. one token refresh per session across processes (REFRESH-03).
 *
 * - `withLock` runs `fn` while holding the lock and releases it after, whether `fn` resolves or throws.
 * - At most one holder per key at a time, until the lease ends; a crashed holder's lease expires.
 * - Waiting longer than `waitMs` rejects with an `OAuthError` of code `LOCK_TIMEOUT` and never runs `fn`.
 * - A Lock instance belongs to one client instance; it is never module-global.
 */
export interface Lock {
  withLock<T>(key: string, options: LockOptions, fn: () => Promise<T>): Promise<T>;
}
