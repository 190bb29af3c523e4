import type { Clock, Logger, RecordSealer } from '@relay/oauth-core';
import type BetterSqlite3 from 'better-sqlite3';
import { SqliteStoreError } from './errors.js';

/** better-sqlite3's error: its `code` is SQLite's extended result code name. */
function sqliteCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * What every store of one `SqliteStores` shares: the connection, the sealer, the clock. Also the
 * single place where driver errors become `SqliteStoreError`s, with messages that never include
 * record values.
 * @internal
 */
export class SqliteContext {
  constructor(
    readonly db: BetterSqlite3.Database,
    readonly sealer: RecordSealer,
    readonly now: Clock,
    readonly logger: Logger,
  ) {}

  /** Runs a synchronous driver call, translating its failures. */
  run<T>(action: string, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw this.translate(err, action);
    }
  }

  translate(err: unknown, action: string): SqliteStoreError {
    if (err instanceof SqliteStoreError) return err;
    const code = sqliteCode(err);
    if (!this.db.open) {
      return new SqliteStoreError('STORE_UNAVAILABLE', `Cannot ${action}: the SQLite store was closed.`, {
        cause: err,
      });
    }
    if (code?.startsWith('SQLITE_BUSY') || code?.startsWith('SQLITE_LOCKED')) {
      return new SqliteStoreError(
        'STORE_UNAVAILABLE',
        `Cannot ${action}: the database stayed locked by another connection past busyTimeoutMs; retry, or raise busyTimeoutMs.`,
        { cause: err },
      );
    }
    return new SqliteStoreError('STORE_ERROR', `SQLite failed to ${action} (${code ?? 'unknown error'}).`, {
      cause: err,
    });
  }

  /** Parses a stored record (after opening it, when sealed) into a fresh object. */
  decode<V>(stored: string, aad: string, what: string): V | Promise<V> {
    return this.sealer.decodeRecord<V>(stored, aad, what);
  }

  /** Serialises (and seals) a value for storage. */
  encode(value: unknown, aad: string, what: string): string | Promise<string> {
    return this.sealer.encodeRecord(value, aad, what);
  }
}

export function requireString(value: unknown, name: string): string {
  if (typeof value !== 'string') {
    throw new SqliteStoreError('INVALID_INPUT', `${name} must be a string, got ${typeof value}.`);
  }
  return value;
}

export function requireDuration(value: unknown, name: string, min = 1): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new SqliteStoreError('INVALID_INPUT', `${name} must be a finite number of milliseconds >= ${min}.`);
  }
  return value;
}
