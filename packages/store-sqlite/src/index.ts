export type { EncryptionKey, EncryptionOptions } from '@relay/oauth-core';
export { SqliteStoreError, type SqliteStoreErrorCode } from './errors.js';
export { SqliteLock, type SqliteLockOptions } from './sqlite-lock.js';
export { SqliteNonceStore } from './sqlite-nonce-store.js';
export { SqliteSessionStore } from './sqlite-session-store.js';
export { SqliteStateStore } from './sqlite-state-store.js';
export { SqliteStores, type SqliteStoresOptions } from './sqlite-stores.js';
export type { Fence, LockLease, SessionSetOptions } from './types.js';
