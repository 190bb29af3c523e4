import { type EncryptionOptions, type Logger, RecordSealer, silentLogger } from '@relay/oauth-core';
import { Cluster } from 'ioredis';
import { RedisStoreError } from './errors.js';
import { type RedisClient, RedisContext, requireDuration } from './redis-context.js';
import { RedisLock, type RedisLockOptions } from './redis-lock.js';
import { RedisNonceStore } from './redis-nonce-store.js';
import { RedisSessionStore } from './redis-session-store.js';
import { RedisStateStore } from './redis-state-store.js';

/**
 * Options for {@link RedisStores.open}.
 *
 * @example
 * ```ts
 * const stores = await RedisStores.open({ redis: createRedisClient('redis://127.0.0.1:6379'), prefix: 'myapp:relay:' });
 * ```
 */
export interface RedisStoresOptions {
  /**
   * An ioredis client: `new Redis(url)` or `new Cluster(nodes)`. `createRedisClient` makes one with
   * fail-fast settings. The stores never close it.
   */
  redis: RedisClient;
  /** Prefix of every key, to share a Redis between apps or test runs. Default `relay:`. */
  prefix?: string;
  /** Seal sessions and states with AES-256-GCM at rest (see `EncryptionOptions`). */
  encryption?: EncryptionOptions;
  /** Longest a call waits for Redis (connection and reply) before `STORE_UNAVAILABLE`. Default 2000. */
  commandTimeoutMs?: number;
  /** Nonces expire after this long. Default 10 minutes. */
  nonceTtlMs?: number;
  logger?: Logger;
}

/**
 * Relay's state, session and nonce stores and its locks on one Redis (standalone or Cluster).
 * Create it once per process and pass its parts to the client:
 * `new OAuthClient({ …, stores: redisStores, lock: redisStores.createLock() })`.
 */
export class RedisStores {
  /** Pending authorizations, typed for `OAuthClient` (`new RedisStateStore<V>(stores)` for others). */
  readonly state: RedisStateStore;
  /** Sessions, typed for `OAuthClient`. */
  readonly session: RedisSessionStore;
  /** DPoP nonces by origin, shared by every process on the Redis. */
  readonly nonces: RedisNonceStore;
  /** Whether the client is an ioredis `Cluster`. */
  readonly isCluster: boolean;
  /** @internal The client and helpers the stores share. */
  readonly context: RedisContext;

  private constructor(options: RedisStoresOptions, sealer: RecordSealer) {
    this.isCluster = options.redis instanceof Cluster;
    this.context = new RedisContext(
      options.redis,
      options.prefix ?? 'relay:',
      sealer,
      options.logger ?? silentLogger,
      requireDuration(options.commandTimeoutMs ?? 2_000, 'commandTimeoutMs'),
    );
    this.state = new RedisStateStore(this);
    this.session = new RedisSessionStore(this);
    this.nonces = new RedisNonceStore(this, requireDuration(options.nonceTtlMs ?? 10 * 60_000, 'nonceTtlMs'));
  }

  /**
   * Checks the options and encryption keys and returns the stores. It does not wait for Redis:
   * every call waits up to `commandTimeoutMs` for the connection, then fails with `STORE_UNAVAILABLE`.
   */
  static async open(options: RedisStoresOptions): Promise<RedisStores> {
    const redis = options?.redis as { status?: unknown; evalsha?: unknown } | undefined;
    if (!redis || typeof redis.evalsha !== 'function' || typeof redis.status !== 'string') {
      throw new RedisStoreError(
        'INVALID_OPTIONS',
        'Pass an ioredis client as `redis` (new Redis(url) or new Cluster).',
      );
    }
    if (options.prefix !== undefined && typeof options.prefix !== 'string') {
      throw new RedisStoreError('INVALID_OPTIONS', '`prefix` must be a string such as "myapp:relay:".');
    }
    const sealer = new RecordSealer(options.encryption, RedisStoreError);
    await sealer.ready();
    return new RedisStores(options, sealer);
  }

  /** The key prefix in use. */
  get prefix(): string {
    return this.context.prefix;
  }

  /** A new lock over this Redis; give each `OAuthClient` its own. */
  createLock(options?: RedisLockOptions): RedisLock {
    return new RedisLock(this, options);
  }
}
