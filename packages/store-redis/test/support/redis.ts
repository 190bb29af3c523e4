import { randomBytes } from 'node:crypto';
import type { Logger } from '@relay/oauth-core';
import { Redis } from 'ioredis';
import {
  createRedisClient,
  type EncryptionOptions,
  type RedisSessionStore,
  type RedisStateStore,
  RedisStores,
} from '../../src/index.js';

/** Stores over plain JSON records, for tests that do not need the client's record types. */
export type LooseStores = Omit<RedisStores, 'state' | 'session'> & {
  state: RedisStateStore<Record<string, unknown>>;
  session: RedisSessionStore<Record<string, unknown>>;
};

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

interface StoreOptions {
  prefix?: string;
  encryption?: EncryptionOptions;
  redis?: Redis;
  logger?: Logger;
}

/** A key prefix no other test run uses. */
export function uniquePrefix(label: string): string {
  return `relay-test:${label}:${process.pid}:${randomBytes(6).toString('hex')}:`;
}

/**
 * Opens clients and stores for one test file and removes every key it wrote afterwards.
 * Each `stores()` call gets an empty namespace (its own prefix), as the contract kit asks.
 */
export function redisFixture(label: string) {
  const clients: Redis[] = [];
  const prefixes: string[] = [];
  const client = () => {
    const c = createRedisClient(REDIS_URL);
    clients.push(c);
    return c;
  };
  return {
    client,
    async stores(options: StoreOptions = {}): Promise<LooseStores> {
      return (await this.typedStores(options)) as unknown as LooseStores;
    },
    /** Stores typed for OAuthClient (StoredSession, PendingAuthorization). */
    async typedStores(options: StoreOptions = {}) {
      const prefix = options.prefix ?? uniquePrefix(label);
      prefixes.push(prefix);
      const stores = await RedisStores.open({
        redis: options.redis ?? client(),
        prefix,
        ...(options.encryption ? { encryption: options.encryption } : {}),
        ...(options.logger ? { logger: options.logger } : {}),
      });
      // Connected before use: the contract kit expects a free lock to be taken within ~10 ms.
      await stores.nonces.get('warm-up');
      return stores;
    },
    async cleanup() {
      const admin = new Redis(REDIS_URL);
      for (const prefix of new Set(prefixes)) {
        let cursor = '0';
        do {
          const [next, keys] = await admin.scan(
            cursor,
            'MATCH',
            `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`,
            'COUNT',
            500,
          );
          cursor = next;
          if (keys.length) await admin.del(...keys);
        } while (cursor !== '0');
      }
      admin.disconnect();
      for (const c of clients) c.disconnect();
    },
  };
}

/** The code of whatever `fn` throws (or 'no error'). */
export async function codeOf(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
    return 'no error';
  } catch (err) {
    return (err as { code?: string }).code ?? String(err);
  }
}
