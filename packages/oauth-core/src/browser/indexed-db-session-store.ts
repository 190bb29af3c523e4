import { OAuthError } from '../errors.js';
import type { SessionSetOptions, SessionStore } from '../stores/contracts.js';
import { type BrowserDatabase, FENCES, SESSIONS } from './browser-database.js';

interface SessionRow<V> {
  did: string;
  sessionId: string;
  value: V;
}

/**
 * {@link SessionStore} in IndexedDB, keyed by DID + session id. Records are structured clones, so a
 * `StoredSession` whose DPoP key is a non-extractable `CryptoKey` record is kept as is. Fencing:
 * a write carrying a lock fence is refused with `STORE_FENCED` when the fence counter of
 * `NavigatorLock` over the same database has moved past it (checked in the write's transaction).
 */
export class IndexedDbSessionStore<V = unknown> implements SessionStore<V> {
  readonly #db: BrowserDatabase;

  constructor(database: BrowserDatabase) {
    this.#db = database;
  }

  async get(did: string, sessionId: string): Promise<V | undefined> {
    const row = await this.#db.transact<SessionRow<V> | undefined>([SESSIONS], 'readonly', (tx, settle) => {
      const read = tx.objectStore(SESSIONS).get([did, sessionId]);
      read.onsuccess = () => settle(read.result as SessionRow<V> | undefined);
    });
    return row?.value;
  }

  async set(did: string, sessionId: string, value: V, options: SessionSetOptions = {}): Promise<void> {
    const fence = options.fence;
    const refused = await this.#db.transact<boolean>([SESSIONS, FENCES], 'readwrite', (tx, settle) => {
      const put = () => tx.objectStore(SESSIONS).put({ did, sessionId, value } satisfies SessionRow<V>);
      if (!fence) {
        put();
        return;
      }
      const read = tx.objectStore(FENCES).get(fence.lockKey);
      read.onsuccess = () => {
        // REFRESH-03: a holder whose lease ended must not overwrite what a newer holder wrote.
        if (((read.result as number | undefined) ?? 0) > fence.token) settle(true);
        else put();
      };
    });
    if (refused) {
      throw new OAuthError(
        'STORE_FENCED',
        `The session ${sessionId} was not saved: a newer holder of the lock "${fence?.lockKey}" exists.`,
      );
    }
  }

  async delete(did: string, sessionId: string): Promise<void> {
    await this.#db.transact<void>([SESSIONS], 'readwrite', (tx) => {
      tx.objectStore(SESSIONS).delete([did, sessionId]);
    });
  }

  async list(did: string): Promise<string[]> {
    const keys = await this.#db.transact<IDBValidKey[]>([SESSIONS], 'readonly', (tx, settle) => {
      const read = tx.objectStore(SESSIONS).index('did').getAllKeys(IDBKeyRange.only(did));
      read.onsuccess = () => settle(read.result);
    });
    return (keys ?? []).map((key) => (key as [string, string])[1]);
  }
}
