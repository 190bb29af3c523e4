import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type SqliteSessionStore,
  type SqliteStateStore,
  type SqliteStores,
  type SqliteStoresOptions,
  SqliteStores as Stores,
} from '../../src/index.js';

/** Stores over plain JSON records, for tests that do not need the client's record types. */
export type LooseStores = Omit<SqliteStores, 'state' | 'session'> & {
  state: SqliteStateStore<Record<string, unknown>>;
  session: SqliteSessionStore<Record<string, unknown>>;
};

/**
 * Real database files in a temp dir, one per `file()` call; every store opened is closed and the
 * directory removed at the end.
 */
export function sqliteFixture() {
  const dir = mkdtempSync(join(tmpdir(), 'relay-sqlite-'));
  const opened: SqliteStores[] = [];
  let n = 0;
  return {
    dir,
    file: () => join(dir, `store-${++n}.db`),
    async open(path: string, options: Omit<SqliteStoresOptions, 'path'> = {}): Promise<LooseStores> {
      return (await this.openTyped(path, options)) as unknown as LooseStores;
    },
    /** Stores typed for OAuthClient (StoredSession, PendingAuthorization). */
    async openTyped(path: string, options: Omit<SqliteStoresOptions, 'path'> = {}): Promise<SqliteStores> {
      const stores = await Stores.open({ path, cleanupIntervalMs: 0, ...options });
      opened.push(stores);
      return stores;
    },
    cleanup() {
      for (const s of opened) s.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The code of whatever `fn` throws (or 'no error'). */
export async function codeOf(fn: () => unknown): Promise<string> {
  try {
    await fn();
    return 'no error';
  } catch (err) {
    return (err as { code?: string }).code ?? String(err);
  }
}
