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
  /** Stores the pending authorization `value` under `key` (the `state`) for `ttlMs` milliseconds. */
  set(key: string, value: V, ttlMs: number): Promise<void>;
  /** Removes and returns the entry; `undefined` when absent, expired or already taken. Atomic. */
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
  /** The stored session of `did` with this id, or `undefined`. */
  get(did: string, sessionId: string): Promise<V | undefined>;
  /**
   * With `options.fence` (written by a lock holder), a store that supports fencing refuses the write
   * with `OAuthError` `STORE_FENCED` when a newer holder of `fence.lockKey` exists (its token is
   * higher), so a holder whose lease expired cannot overwrite a newer session. Stores without
   * fencing ignore it.
   */
  set(did: string, sessionId: string, value: V, options?: SessionSetOptions): Promise<void>;
  /** Deletes the session; deleting an unknown one is a no-op. */
  delete(did: string, sessionId: string): Promise<void>;
  /** The session ids stored for `did`, in any order. */
  list(did: string): Promise<string[]>;
}

/** A fencing token handed to a lock holder: strictly increasing per lock key. */
export interface Fence {
  /** The lock key the fence belongs to (for sessions: one key per session). */
  lockKey: string;
  /** Strictly greater than the token of every earlier holder of `lockKey`. */
  token: number;
}

/** Options for {@link SessionStore.set}. */
export interface SessionSetOptions {
  /** The writer's fence; a fencing store refuses the write when a newer holder exists (`STORE_FENCED`). */
  fence?: Fence;
}

/** What a lock holder receives. */
export interface LockLease {
  /** Strictly increasing per key across all holders (compare-and-write against stale holders). */
  readonly fence: Fence;
  /** Aborted when the lease is lost (expired and not renewed). */
  readonly signal: AbortSignal;
}

/**
 * Options for {@link Lock.withLock}.
 *
 * @example
 * ```ts
 * await lock.withLock(`relay-refresh:${did}:${sessionId}`, { leaseMs: 30_000, waitMs: 35_000 }, async ({ fence, signal }) => {
 *   // refresh, then write with { fence }
 * });
 * ```
 */
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
 * - Each holder gets a fencing token strictly greater than every earlier holder's of that key,
 *   and a signal aborted if its lease ends while `fn` still runs.
 * - A Lock instance belongs to one client instance; it is never module-global.
 */
export interface Lock {
  /** Runs `fn` while holding the lock for `key`, then releases it (see the interface for the guarantees). */
  withLock<T>(key: string, options: LockOptions, fn: (lease: LockLease) => Promise<T>): Promise<T>;
}
