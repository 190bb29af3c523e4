import { OAuthError, type OAuthErrorCode } from '@relay/oauth-core';

/**
 * The codes this package throws: a subset of `@relay/oauth-core`'s `OAuthErrorCode`, so an app
 * switches on one code space whichever store it runs.
 *
 * - `STORE_UNAVAILABLE`: the database is closed or stayed locked past `busyTimeoutMs`; retry later.
 * - `STORE_ERROR`: SQLite refused the operation (disk full, corrupt file, schema from a newer version).
 * - `STORE_FENCED`: a session write carried the fence of a lock holder that has since been replaced.
 * - `STORE_DECRYPT_FAILED`: a sealed record could not be opened (wrong or unknown key id, tampered
 *   bytes, a record moved to another row, or a sealed record read without encryption configured).
 * - `LOCK_TIMEOUT`: `withLock` waited `waitMs` without getting the lock.
 * - `INVALID_INPUT` / `INVALID_OPTIONS`: a bad argument; the message says which.
 */
export type SqliteStoreErrorCode = Extract<
  OAuthErrorCode,
  | 'STORE_UNAVAILABLE'
  | 'STORE_ERROR'
  | 'STORE_FENCED'
  | 'STORE_DECRYPT_FAILED'
  | 'LOCK_TIMEOUT'
  | 'INVALID_INPUT'
  | 'INVALID_OPTIONS'
>;

/**
 * The one error class of `@relay/store-sqlite`. It extends `OAuthError`, so `err instanceof OAuthError`
 * and `err.code` work the same for every store; messages never contain tokens, keys or record values.
 */
export class SqliteStoreError extends OAuthError {
  declare readonly code: SqliteStoreErrorCode;

  constructor(code: SqliteStoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
