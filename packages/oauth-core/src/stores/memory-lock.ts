import { OAuthError } from '../errors.js';
import type { Clock, Lock, LockOptions } from './contracts.js';

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
  readonly #now: Clock;

  constructor(options: { clock?: Clock } = {}) {
    this.#now = options.clock ?? Date.now;
  }

  async withLock<T>(key: string, options: LockOptions, fn: () => Promise<T>): Promise<T> {
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
    const token = Symbol(key);
    this.#holders.set(key, {
      token,
      expiresAt: this.#now() + options.leaseMs,
      released: new Promise<void>((resolve) => {
        release = resolve;
      }),
    });
    try {
      return await fn();
    } finally {
      // Only the holder that still owns the key removes it (an expired lease may have passed it on).
      if (this.#holders.get(key)?.token === token) this.#holders.delete(key);
      release();
    }
  }
}
