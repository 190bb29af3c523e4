/**
 * The schema, as numbered steps. A step is never edited once released: changes are new steps.
 * `SqliteStores.open` applies the missing ones inside one `BEGIN IMMEDIATE` transaction, so
 * processes opening the same file at once migrate it exactly once.
 */
export const MIGRATIONS: readonly { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE relay_states (
        key TEXT PRIMARY KEY NOT NULL,
        value TEXT NOT NULL,
        expires_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX relay_states_expires_at ON relay_states (expires_at);

      CREATE TABLE relay_sessions (
        did TEXT NOT NULL,
        session_id TEXT NOT NULL,
        value TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (did, session_id)
      ) WITHOUT ROWID;

      CREATE TABLE relay_nonces (
        origin TEXT PRIMARY KEY NOT NULL,
        nonce TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      ) WITHOUT ROWID;

      -- One row per lock key, kept after release: 'fence' must keep increasing for the key's lifetime.
      CREATE TABLE relay_locks (
        key TEXT PRIMARY KEY NOT NULL,
        owner TEXT NOT NULL,
        fence INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      ) WITHOUT ROWID;
    `,
  },
];

/** The newest schema version this build knows. */
export const SCHEMA_VERSION: number = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
