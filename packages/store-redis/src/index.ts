// The ioredis classes, so an app builds its client from the same ioredis version the stores use.

export type { EncryptionKey, EncryptionOptions } from '@relay/oauth-core';
export { Cluster, Redis } from 'ioredis';
export { createRedisClient } from './create-redis-client.js';
export { RedisStoreError, type RedisStoreErrorCode } from './errors.js';
export type { RedisClient } from './redis-context.js';
export { RedisLock, type RedisLockOptions } from './redis-lock.js';
export { RedisNonceStore } from './redis-nonce-store.js';
export { RedisSessionStore } from './redis-session-store.js';
export { RedisStateStore } from './redis-state-store.js';
export { RedisStores, type RedisStoresOptions } from './redis-stores.js';
export type { Fence, LockLease, SessionSetOptions } from './types.js';
