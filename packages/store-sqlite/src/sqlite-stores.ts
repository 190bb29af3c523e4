import { closeSync, existsSync, openSync } from 'node:fs';
import { type Clock, type EncryptionOptions, type Logger, RecordSealer, silentLogger } from '@relay/oauth-core';
import Database from 'better-sqlite3';
import { SqliteStoreError } from './errors.js';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations.js';
import { requireDuration, SqliteContext } from './sqlite-context.js';
import { SqliteLock, type SqliteLockOptions } from './sqlite-lock.js';
import { SqliteNonceStore } from './sqlite-nonce-store.js';
import { SqliteSessionStore } from './sqlite-session-store.js';
import { SqliteStateStore } from './sqlite-state-store.js';

/**
 * Options for {@link SqliteStores.open}.
 *
 * @example
 * ```ts
 * const stores = await SqliteStores.open({ path: './relay-sessions.db', busyTimeoutMs: 5_000 });
 * ```
 */
export interface SqliteStoresOptions {
  /**
   * The database file. Created (mode 0600: it holds tokens and DPoP keys) if missing. Every process
   * that opens the same file shares the states, sessions, nonces and locks. Give `path` or `database`.
   */
  path?: string;
  /** An open better-sqlite3 connection instead of `path`; `close()` leaves it open. */
  database?: Database.Database;
  /** Seal sessions and states with AES-256-GCM at rest (see `EncryptionOptions`). */
  encryption?: EncryptionOptions;
  /** How long a call waits for another connection's write transaction. Default 5000 ms. */
  busyTimeoutMs?: number;
  /** How often expired states and old nonces are deleted; 0 turns the timer off. Default 60 000 ms. */
  cleanupIntervalMs?: number;
  /** Nonces older than this are not returned. Default 10 minutes. */
  nonceTtlMs?: number;
  /** Epoch-ms time source for expiry stamps. Default `Date.now`. */
  clock?: Clock;
  logger?: Logger;
}

function migrate(db: Database.Database): void {
  db.exec(
    'CREATE TABLE IF NOT EXISTS relay_schema_migrations (version INTEGER PRIMARY KEY NOT NULL, applied_at INTEGER NOT NULL)',
  );
  const apply = db.transaction(() => {
    const current =
      (db.prepare('SELECT max(version) FROM relay_schema_migrations').pluck().get() as number | null) ?? 0;
    if (current > SCHEMA_VERSION) {
      throw new SqliteStoreError(
        'STORE_ERROR',
        `The database has schema version ${current}, newer than this @relay/store-sqlite knows (${SCHEMA_VERSION}); upgrade the package.`,
      );
    }
    const record = db.prepare('INSERT INTO relay_schema_migrations (version, applied_at) VALUES (?, ?)');
    for (const step of MIGRATIONS) {
      if (step.version <= current) continue;
      db.exec(step.sql);
      record.run(step.version, Date.now());
    }
  });
  // IMMEDIATE: two processes opening a fresh file at once migrate it once, one after the other.
  apply.immediate();
}

/**
 * One SQLite database holding Relay's state, session and nonce stores and its locks. Open it once
 * per process and pass its parts to the client:
 * `new OAuthClient({ …, stores: sqlite, lock: sqlite.createLock() })`.
 */
export class SqliteStores {
  /** Pending authorizations, typed for `OAuthClient` (`new SqliteStateStore<V>(stores)` for others). */
  readonly state: SqliteStateStore;
  /** Sessions, typed for `OAuthClient`. */
  readonly session: SqliteSessionStore;
  /** DPoP nonces by origin, shared by every process on the file. */
  readonly nonces: SqliteNonceStore;
  /** @internal The connection and helpers the stores share. */
  readonly context: SqliteContext;
  readonly #ownsDatabase: boolean;
  readonly #cleanup: ReturnType<typeof setInterval> | undefined;
  readonly #nonceTtlMs: number;

  private constructor(db: Database.Database, owns: boolean, sealer: RecordSealer, options: SqliteStoresOptions) {
    this.#ownsDatabase = owns;
    this.#nonceTtlMs = requireDuration(options.nonceTtlMs ?? 10 * 60_000, 'nonceTtlMs');
    this.context = new SqliteContext(db, sealer, options.clock ?? Date.now, options.logger ?? silentLogger);
    this.state = new SqliteStateStore(this);
    this.session = new SqliteSessionStore(this);
    this.nonces = new SqliteNonceStore(this, this.#nonceTtlMs);
    const every = options.cleanupIntervalMs ?? 60_000;
    if (every > 0) {
      this.#cleanup = setInterval(
        () => {
          try {
            this.sweep();
          } catch (err) {
            this.context.logger.warn?.('sqlite store clean-up failed', { error: (err as Error).message });
          }
        },
        requireDuration(every, 'cleanupIntervalMs'),
      );
      this.#cleanup.unref();
    }
  }

  /**
   * Opens (creating if needed) the database: WAL mode, busy timeout, versioned migrations, and a
   * check of the encryption keys. Rejects with `SqliteStoreError` (`INVALID_OPTIONS`, `STORE_ERROR`).
   */
  static async open(options: SqliteStoresOptions): Promise<SqliteStores> {
    if ((options.path === undefined) === (options.database === undefined)) {
      throw new SqliteStoreError(
        'INVALID_OPTIONS',
        'Give exactly one of `path` (a file) or `database` (a connection).',
      );
    }
    const busyTimeoutMs = requireDuration(options.busyTimeoutMs ?? 5_000, 'busyTimeoutMs', 0);
    const sealer = new RecordSealer(options.encryption, SqliteStoreError);
    await sealer.ready();
    let db = options.database;
    const owns = db === undefined;
    try {
      if (!db) {
        const path = options.path as string;
        // Tokens and DPoP keys live here: create the file private to this user (WAL/SHM follow its mode).
        if (path !== ':memory:' && path !== '' && !existsSync(path)) closeSync(openSync(path, 'a', 0o600));
        db = new Database(path, { timeout: busyTimeoutMs });
      } else {
        db.pragma(`busy_timeout = ${Math.floor(busyTimeoutMs)}`);
      }
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      migrate(db);
    } catch (err) {
      if (owns) db?.close();
      if (err instanceof SqliteStoreError) throw err;
      throw new SqliteStoreError('STORE_ERROR', `Could not open the SQLite store: ${(err as Error).message}`, {
        cause: err,
      });
    }
    return new SqliteStores(db, owns, sealer, options);
  }

  /** The connection, for inspection and backups. */
  get database(): Database.Database {
    return this.context.db;
  }

  /** The schema version of the open database. */
  get schemaVersion(): number {
    return this.context.run(
      'read the schema version',
      () => (this.context.db.prepare('SELECT max(version) FROM relay_schema_migrations').pluck().get() as number) ?? 0,
    );
  }

  /** A new lock over this database; give each `OAuthClient` its own. */
  createLock(options?: SqliteLockOptions): SqliteLock {
    return new SqliteLock(this, options);
  }

  /** Deletes expired states and stale nonces now (the timer does this every `cleanupIntervalMs`). */
  sweep(): { states: number; nonces: number } {
    const now = this.context.now();
    return this.context.run('clean up expired rows', () => ({
      states: this.context.db.prepare('DELETE FROM relay_states WHERE expires_at <= ?').run(now).changes,
      nonces: this.context.db.prepare('DELETE FROM relay_nonces WHERE updated_at <= ?').run(now - this.#nonceTtlMs)
        .changes,
    }));
  }

  /** Stops the clean-up timer and closes the connection (if `open` created it). Idempotent. */
  close(): void {
    clearInterval(this.#cleanup);
    if (this.#ownsDatabase && this.context.db.open) this.context.db.close();
  }
}
