import type { PendingAuthorization, StateStore } from '@relay/oauth-core';
import type BetterSqlite3 from 'better-sqlite3';
import { requireDuration, requireString, type SqliteContext } from './sqlite-context.js';
import type { SqliteStores } from './sqlite-stores.js';

const aad = (key: string) => `relay/state\u0000${key}`;

/**
 * Pending authorizations (CLIENT-PAR-09) in the `relay_states` table. `take` is one
 * `DELETE … RETURNING` statement, so of any number of concurrent takes, across processes, exactly
 * one gets the row (CLIENT-STATE-02). Expired rows are never returned and are swept periodically.
 */
export class SqliteStateStore<V = PendingAuthorization> implements StateStore<V> {
  readonly #ctx: SqliteContext;
  readonly #upsert: BetterSqlite3.Statement<[string, string, number]>;
  readonly #take: BetterSqlite3.Statement<[string], { value: string; expires_at: number }>;

  constructor(stores: SqliteStores) {
    this.#ctx = stores.context;
    const db = this.#ctx.db;
    this.#upsert = db.prepare(
      'INSERT INTO relay_states (key, value, expires_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at',
    );
    this.#take = db.prepare('DELETE FROM relay_states WHERE key = ? RETURNING value, expires_at');
  }

  async set(key: string, value: V, ttlMs: number): Promise<void> {
    requireString(key, 'state key');
    requireDuration(ttlMs, 'ttlMs');
    const encoded = this.#ctx.encode(value, aad(key), 'state value');
    // Unsealed records are encoded synchronously: skip the extra microtask of awaiting a string.
    const stored = typeof encoded === 'string' ? encoded : await encoded;
    const expiresAt = this.#ctx.now() + ttlMs;
    this.#ctx.run('store a state', () => this.#upsert.run(key, stored, expiresAt));
  }

  async take(key: string): Promise<V | undefined> {
    requireString(key, 'state key');
    // CLIENT-STATE-02: read and delete in one statement: single use across processes.
    const row = this.#ctx.run('take a state', () => this.#take.get(key));
    if (!row || row.expires_at <= this.#ctx.now()) return undefined;
    return this.#ctx.decode<V>(row.value, aad(key), 'state');
  }
}
