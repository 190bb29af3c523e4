import type { NonceStore } from '@relay/dpop';
import { type RedisContext, requireString } from './redis-context.js';
import type { RedisStores } from './redis-stores.js';

/**
 * The latest `DPoP-Nonce` per server origin (NONCE-04), shared by every process on the Redis, with
 * a TTL of `nonceTtlMs` (servers rotate nonces within minutes). Nonces are not secret; they are
 * stored unsealed.
 */
export class RedisNonceStore implements NonceStore {
  readonly #ctx: RedisContext;
  readonly #ttlMs: number;

  constructor(stores: RedisStores, ttlMs: number) {
    this.#ctx = stores.context;
    this.#ttlMs = ttlMs;
  }

  async get(origin: string): Promise<string | undefined> {
    requireString(origin, 'origin');
    const key = this.#ctx.key('nonce', origin);
    return (await this.#ctx.call('read a DPoP nonce', (r) => r.get(key))) ?? undefined;
  }

  async set(origin: string, nonce: string): Promise<void> {
    requireString(origin, 'origin');
    requireString(nonce, 'nonce');
    const key = this.#ctx.key('nonce', origin);
    await this.#ctx.call('store a DPoP nonce', (r) => r.set(key, nonce, 'PX', this.#ttlMs));
  }
}
