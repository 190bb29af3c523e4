import { OAuthError } from '../errors.js';

const VERSION = 1;
/** Object stores: pending authorizations, sessions, and the fencing counters of `NavigatorLock`. */
export const STATES = 'states';
export const SESSIONS = 'sessions';
export const FENCES = 'fences';

/**
 * One IndexedDB database holding a browser client's state, sessions and lock fences. Values are
 * kept by structured clone, so a session's non-extractable `CryptoKey` is stored as is (no JSON).
 * Every tab and worker of the origin that opens the same `name` shares it.
 */
export class BrowserDatabase {
  readonly name: string;
  readonly #db: IDBDatabase;

  private constructor(name: string, db: IDBDatabase) {
    this.name = name;
    this.#db = db;
    // Another tab upgrading the schema: let it, this connection re-opens on the next page load.
    db.onversionchange = () => db.close();
  }

  /** Opens (creating on first use) the database `name`. `STORE_UNAVAILABLE` without IndexedDB. */
  static open(name = 'relay-oauth'): Promise<BrowserDatabase> {
    if (typeof name !== 'string' || name === '') {
      return Promise.reject(
        new OAuthError('INVALID_OPTIONS', 'The IndexedDB database name must be a non-empty string.'),
      );
    }
    if (typeof indexedDB === 'undefined') {
      return Promise.reject(
        new OAuthError('STORE_UNAVAILABLE', 'IndexedDB is not available here; the browser stores need a browser.'),
      );
    }
    return new Promise((resolve, reject) => {
      const request = indexedDB.open(name, VERSION);
      request.onupgradeneeded = () => {
        const db = request.result;
        if (!db.objectStoreNames.contains(STATES)) {
          db.createObjectStore(STATES).createIndex('expiresAt', 'expiresAt');
        }
        if (!db.objectStoreNames.contains(SESSIONS)) {
          db.createObjectStore(SESSIONS, { keyPath: ['did', 'sessionId'] }).createIndex('did', 'did');
        }
        if (!db.objectStoreNames.contains(FENCES)) db.createObjectStore(FENCES);
      };
      request.onsuccess = () => resolve(new BrowserDatabase(name, request.result));
      request.onerror = () =>
        reject(
          new OAuthError('STORE_UNAVAILABLE', `Could not open the IndexedDB database "${name}".`, {
            cause: request.error,
          }),
        );
      request.onblocked = () =>
        reject(new OAuthError('STORE_UNAVAILABLE', `IndexedDB "${name}" is blocked by an older tab; reload it.`));
    });
  }

  /**
   * Runs `body` inside one transaction and resolves with what it passed to `settle` once the
   * transaction has committed. `body` must only chain IndexedDB requests (any other await would
   * let the transaction commit early); that is what makes read-then-write atomic across tabs.
   */
  transact<T>(
    stores: string[],
    mode: IDBTransactionMode,
    body: (tx: IDBTransaction, settle: (value: T) => void) => void,
  ): Promise<T | undefined> {
    return new Promise((resolve, reject) => {
      let tx: IDBTransaction;
      try {
        tx = this.#db.transaction(stores, mode);
      } catch (cause) {
        reject(new OAuthError('STORE_UNAVAILABLE', `IndexedDB "${this.name}" is closed or unusable.`, { cause }));
        return;
      }
      let result: T | undefined;
      tx.oncomplete = () => resolve(result);
      const fail = () =>
        reject(
          new OAuthError('STORE_ERROR', `An IndexedDB transaction on ${stores.join(', ')} failed.`, {
            cause: tx.error,
          }),
        );
      tx.onerror = fail;
      tx.onabort = fail;
      try {
        body(tx, (value) => {
          result = value;
        });
      } catch (cause) {
        tx.abort();
        reject(new OAuthError('STORE_ERROR', 'A value could not be written to IndexedDB.', { cause }));
      }
    });
  }

  /** Increments and returns the fencing counter of a lock key (call only while holding the lock). */
  async nextFence(lockKey: string): Promise<number> {
    const token = await this.transact<number>([FENCES], 'readwrite', (tx, settle) => {
      const fences = tx.objectStore(FENCES);
      const read = fences.get(lockKey);
      read.onsuccess = () => {
        const next = ((read.result as number | undefined) ?? 0) + 1;
        fences.put(next, lockKey);
        settle(next);
      };
    });
    return token as number;
  }

  /** Closes this connection; stores using it fail with `STORE_UNAVAILABLE` afterwards. */
  close(): void {
    this.#db.close();
  }
}
