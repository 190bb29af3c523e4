import { OAuthError, type OAuthErrorCode } from '@relay/oauth-core';

/**
 * The codes this package throws: a subset of `@relay/oauth-core`'s `OAuthErrorCode`, so an app
 * switches on one code space whichever store it runs.
 *
 * - `STORE_UNAVAILABLE`: Redis is unreachable, reconnecting, or did not answer within `commandTimeoutMs`; retry later.
 * - `STORE_ERROR`: Redis refused the command (wrong key type, out of memory, a script error), or a record was altered.
 * - `STORE_FENCED`: a session write carried the fence of a lock holder that has since been replaced.
 * - `STORE_DECRYPT_FAILED`: a sealed record could not be opened (wrong or unknown key id, tampered
 *   bytes, a record moved to another row, or a sealed record read without encryption configured).
 * - `LOCK_TIMEOUT`: `withLock` waited `waitMs` without getting the lock.
 * - `INVALID_INPUT` / `INVALID_OPTIONS`: a bad argument; the message says which.
 */
export type RedisStoreErrorCode = Extract<
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
 * The one error class of `@relay/store-redis`. It extends `OAuthError`, so `err instanceof OAuthError`
 * and `err.code` work the same for every store; messages never contain tokens, keys or record values.
 */
export class RedisStoreError extends OAuthError {
  declare readonly code: RedisStoreErrorCode;

  constructor(code: RedisStoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
