import type { WebSession, WebSessionStore } from './web-session-store.js';

/** The part of a better-sqlite3 connection this store uses (`SqliteStores#database`). */
export interface SqliteConnection {
  exec(sql: string): unknown;
  prepare(sql: string): { run(...params: unknown[]): unknown; get(...params: unknown[]): unknown };
}

/**
 * Web sessions in a table of the same SQLite file as the OAuth sessions (`relay_demo_web_sessions`),
 * so a restart keeps everyone signed in.
 */
export class SqliteWebSessionStore implements WebSessionStore {
  readonly #db: SqliteConnection;

  constructor(db: SqliteConnection) {
    this.#db = db;
    db.exec(
      'CREATE TABLE IF NOT EXISTS relay_demo_web_sessions (id TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL, expires_at INTEGER NOT NULL)',
    );
  }

  async get(id: string): Promise<WebSession | undefined> {
    const row = this.#db.prepare('SELECT value, expires_at FROM relay_demo_web_sessions WHERE id = ?').get(id) as
      | { value: string; expires_at: number }
      | undefined;
    if (!row) return undefined;
    if (row.expires_at <= Date.now()) {
      await this.delete(id);
      return undefined;
    }
    return JSON.parse(row.value) as WebSession;
  }

  async set(id: string, session: WebSession, ttlMs: number): Promise<void> {
    this.#db
      .prepare('INSERT OR REPLACE INTO relay_demo_web_sessions (id, value, expires_at) VALUES (?, ?, ?)')
      .run(id, JSON.stringify(session), Date.now() + ttlMs);
  }

  async delete(id: string): Promise<void> {
    this.#db.prepare('DELETE FROM relay_demo_web_sessions WHERE id = ?').run(id);
  }

  /** Deletes expired rows; returns how many. */
  sweep(): number {
    const result = this.#db.prepare('DELETE FROM relay_demo_web_sessions WHERE expires_at <= ?').run(Date.now()) as {
      changes?: number;
    };
    return result.changes ?? 0;
  }
}
