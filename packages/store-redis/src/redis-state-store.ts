import type { PendingAuthorization, StateStore } from '@relay/oauth-core';
import { type RedisContext, requireDuration, requireString } from './redis-context.js';
import type { RedisStores } from './redis-stores.js';

const aad = (key: string) => `relay/state\u0000${key}`;

/**
 * Pending authorizations (CLIENT-PAR-09): `SET … PX ttl` to store, `GETDEL` to take, so expiry is
 * Redis's and a take is one atomic command: of concurrent takes, across processes, exactly one
 * gets the value (CLIENT-STATE-02). Needs Redis ≥ 6.2 (GETDEL).
 */
export class RedisStateStore<V = PendingAuthorization> implements StateStore<V> {
  readonly #ctx: RedisContext;

  constructor(stores: RedisStores) {
    this.#ctx = stores.context;
  }

  async set(key: string, value: V, ttlMs: number): Promise<void> {
    requireString(key, 'state key');
    requireDuration(ttlMs, 'ttlMs');
    const encoded = this.#ctx.encode(value, aad(key), 'state value');
    // Unsealed records are encoded synchronously: skip the extra microtask of awaiting a string.
    const stored = typeof encoded === 'string' ? encoded : await encoded;
    const redisKey = this.#ctx.key('state', key);
    await this.#ctx.call('store a state', (r) => r.set(redisKey, stored, 'PX', Math.ceil(ttlMs)));
  }

  async take(key: string): Promise<V | undefined> {
    requireString(key, 'state key');
    const redisKey = this.#ctx.key('state', key);
    // CLIENT-STATE-02: read and delete in one command: single use across processes.
    const stored = await this.#ctx.call('take a state', (r) => r.getdel(redisKey));
    return stored === null ? undefined : this.#ctx.decode<V>(stored, aad(key), 'state');
  }
}
