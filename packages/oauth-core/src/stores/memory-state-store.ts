import type { Clock, StateStore } from './contracts.js';

/**
 * In-process {@link StateStore}: fine for one process (and for tests); use a durable store when a
 * callback may land on another process than the one that started the authorization.
 * `take` is atomic because it is synchronous between reading and deleting.
 */
export class MemoryStateStore<V = unknown> implements StateStore<V> {
  readonly #entries = new Map<string, { value: V; expiresAt: number }>();
  readonly #now: Clock;

  constructor(options: { clock?: Clock } = {}) {
    this.#now = options.clock ?? Date.now;
  }

  async set(key: string, value: V, ttlMs: number): Promise<void> {
    this.#sweep();
    this.#entries.set(key, { value, expiresAt: this.#now() + ttlMs });
  }

  async take(key: string): Promise<V | undefined> {
    const entry = this.#entries.get(key);
    this.#entries.delete(key);
    if (!entry || entry.expiresAt <= this.#now()) return undefined;
    return entry.value;
  }

  // Expired entries are dropped on each write, so abandoned authorizations cannot pile up.
  #sweep(): void {
    const now = this.#now();
    for (const [key, entry] of this.#entries) if (entry.expiresAt <= now) this.#entries.delete(key);
  }
}
