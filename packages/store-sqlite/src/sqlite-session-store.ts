import type { SessionStore, StoredSession } from '@relay/oauth-core';
import type BetterSqlite3 from 'better-sqlite3';
import { SqliteStoreError } from './errors.js';
import { requireString, type SqliteContext } from './sqlite-context.js';
import type { SqliteStores } from './sqlite-stores.js';
import type { SessionSetOptions } from './types.js';

const aad = (did: string, sessionId: string) => `relay/session\u0000${did}\u0000${sessionId}`;

/**
 * Sessions in the `relay_sessions` table, one row per (DID, session id): `set` is an upsert of the
 * whole record in one statement, so readers never see half a record. A write carrying a lock fence
 * runs in a transaction that first compares the fence with the lock's current one, so a holder
 * whose lease was taken over cannot overwrite the newer holder's session (REFRESH-03).
 */
export class SqliteSessionStore<V = StoredSession> implements SessionStore<V> {
  readonly #ctx: SqliteContext;
  readonly #get: BetterSqlite3.Statement<[string, string], { value: string }>;
  readonly #upsert: BetterSqlite3.Statement<[string, string, string, number]>;
  readonly #delete: BetterSqlite3.Statement<[string, string]>;
  readonly #list: BetterSqlite3.Statement<[string], string>;
  readonly #fencedUpsert: (lockKey: string, token: number, row: [string, string, string, number]) => void;

  constructor(stores: SqliteStores) {
    this.#ctx = stores.context;
    const db = this.#ctx.db;
    this.#get = db.prepare('SELECT value FROM relay_sessions WHERE did = ? AND session_id = ?');
    this.#upsert = db.prepare(
      'INSERT INTO relay_sessions (did, session_id, value, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (did, session_id) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
    );
    this.#delete = db.prepare('DELETE FROM relay_sessions WHERE did = ? AND session_id = ?');
    this.#list = db.prepare('SELECT session_id FROM relay_sessions WHERE did = ?').pluck() as BetterSqlite3.Statement<
      [string],
      string
    >;
    const fenceOf = db.prepare<[string], number>('SELECT fence FROM relay_locks WHERE key = ?').pluck();
    const fenced = db.transaction((lockKey: string, token: number, row: [string, string, string, number]) => {
      const current = fenceOf.get(lockKey) ?? 0;
      // REFRESH-03: a newer holder of the lock exists: this writer's lease ended, its data is stale.
      if (current > token) {
        throw new SqliteStoreError(
          'STORE_FENCED',
          `Refused a session write from lock holder ${token} of "${lockKey}": holder ${current} replaced it.`,
        );
      }
      this.#upsert.run(...row);
    });
    // IMMEDIATE: take the write lock before reading the fence, so no holder can slip in between.
    this.#fencedUpsert = (lockKey, token, row) => fenced.immediate(lockKey, token, row);
  }

  async get(did: string, sessionId: string): Promise<V | undefined> {
    requireString(did, 'did');
    requireString(sessionId, 'sessionId');
    const row = this.#ctx.run('read a session', () => this.#get.get(did, sessionId));
    return row ? this.#ctx.decode<V>(row.value, aad(did, sessionId), 'session') : undefined;
  }

  async set(did: string, sessionId: string, value: V, options?: SessionSetOptions): Promise<void> {
    requireString(did, 'did');
    requireString(sessionId, 'sessionId');
    const encoded = this.#ctx.encode(value, aad(did, sessionId), 'session');
    // Unsealed records are encoded synchronously: skip the extra microtask of awaiting a string.
    const stored = typeof encoded === 'string' ? encoded : await encoded;
    const row: [string, string, string, number] = [did, sessionId, stored, this.#ctx.now()];
    const fence = options?.fence;
    if (!fence) {
      this.#ctx.run('store a session', () => this.#upsert.run(...row));
      return;
    }
    requireString(fence.lockKey, 'fence.lockKey');
    if (!Number.isSafeInteger(fence.token)) {
      throw new SqliteStoreError('INVALID_INPUT', 'fence.token must be the integer a lock lease carried.');
    }
    this.#ctx.run('store a session', () => this.#fencedUpsert(fence.lockKey, fence.token, row));
  }

  async delete(did: string, sessionId: string): Promise<void> {
    requireString(did, 'did');
    requireString(sessionId, 'sessionId');
    this.#ctx.run('delete a session', () => this.#delete.run(did, sessionId));
  }

  async list(did: string): Promise<string[]> {
    requireString(did, 'did');
    return this.#ctx.run('list sessions', () => this.#list.all(did));
  }
}
