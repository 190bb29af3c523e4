import type { NonceStore } from '@relay/dpop';
import type BetterSqlite3 from 'better-sqlite3';
import { requireString, type SqliteContext } from './sqlite-context.js';
import type { SqliteStores } from './sqlite-stores.js';

/**
 * The latest `DPoP-Nonce` per server origin (NONCE-04), shared by every process on the file, so
 * a process starting up sends the current nonce at once instead of paying a `use_dpop_nonce`
 * round trip. Nonces are not secret (servers send them in clear); they are stored unsealed.
 * Entries older than `nonceTtlMs` are not returned (servers rotate nonces within minutes).
 */
export class SqliteNonceStore implements NonceStore {
  readonly #ctx: SqliteContext;
  readonly #ttlMs: number;
  readonly #get: BetterSqlite3.Statement<[string], { nonce: string; updated_at: number }>;
  readonly #set: BetterSqlite3.Statement<[string, string, number]>;

  constructor(stores: SqliteStores, ttlMs: number) {
    this.#ctx = stores.context;
    this.#ttlMs = ttlMs;
    this.#get = this.#ctx.db.prepare('SELECT nonce, updated_at FROM relay_nonces WHERE origin = ?');
    this.#set = this.#ctx.db.prepare(
      'INSERT INTO relay_nonces (origin, nonce, updated_at) VALUES (?, ?, ?) ON CONFLICT (origin) DO UPDATE SET nonce = excluded.nonce, updated_at = excluded.updated_at',
    );
  }

  async get(origin: string): Promise<string | undefined> {
    requireString(origin, 'origin');
    const row = this.#ctx.run('read a DPoP nonce', () => this.#get.get(origin));
    if (!row || row.updated_at + this.#ttlMs <= this.#ctx.now()) return undefined;
    return row.nonce;
  }

  async set(origin: string, nonce: string): Promise<void> {
    requireString(origin, 'origin');
    requireString(nonce, 'nonce');
    this.#ctx.run('store a DPoP nonce', () => this.#set.run(origin, nonce, this.#ctx.now()));
  }
}
