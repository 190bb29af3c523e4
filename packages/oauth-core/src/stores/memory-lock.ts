import { OAuthError } from '../errors.js';
import type { Clock, Lock, LockLease, LockOptions } from './contracts.js';

interface Holder {
  token: symbol;
  expiresAt: number;
  released: Promise<void>;
}

/**
 * In-process {@link Lock}: serialises callers of one key inside one process. Per instance, never
 * module-global. For several processes use the lock of a durable store.
 */
export class MemoryLock implements Lock {
  readonly #holders = new Map<string, Holder>();
  readonly #fences = new Map<string, number>();
  readonly #now: Clock;

  constructor(options: { clock?: Clock } = {}) {
    this.#now = options.clock ?? Date.now;
  }

  /** The highest fencing token handed out for `key` (stores compare writes against it). */
  currentFence(key: string): number {
    return this.#fences.get(key) ?? 0;
  }

  async withLock<T>(key: string, options: LockOptions, fn: (lease: LockLease) => Promise<T>): Promise<T> {
    const deadline = this.#now() + options.waitMs;
    for (;;) {
      const holder = this.#holders.get(key);
      if (!holder || holder.expiresAt <= this.#now()) break;
      const remaining = deadline - this.#now();
      if (remaining <= 0) {
        throw new OAuthError('LOCK_TIMEOUT', `Waited ${options.waitMs} ms for the lock "${key}" without getting it.`);
      }
      // Wake when the holder releases, its lease ends, or our wait runs out, whichever is first.
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        holder.released,
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, Math.max(1, Math.min(remaining, holder.expiresAt - this.#now())));
        }),
      ]);
      clearTimeout(timer);
    }
    // No await between the check above and this set: the check-and-take is atomic in-process.
    let release!: () => void;
    const owner = Symbol(key);
    this.#holders.set(key, {
      token: owner,
      expiresAt: this.#now() + options.leaseMs,
      released: new Promise<void>((resolve) => {
        release = resolve;
      }),
    });
    const token = (this.#fences.get(key) ?? 0) + 1;
    this.#fences.set(key, token);
    const lost = new AbortController();
    const leaseTimer = setTimeout(() => lost.abort(), options.leaseMs);
    try {
      return await fn({ fence: { lockKey: key, token }, signal: lost.signal });
    } finally {
      clearTimeout(leaseTimer);
      // Only the holder that still owns the key removes it (an expired lease may have passed it on).
      if (this.#holders.get(key)?.token === owner) this.#holders.delete(key);
      release();
    }
  }
}
