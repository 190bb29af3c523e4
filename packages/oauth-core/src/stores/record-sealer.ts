import type { OAuthError } from '../errors.js';

/**
 * The error class a store throws (its own `OAuthError` subclass), so sealing errors match its
 * others. The sealer only ever raises these codes.
 */
export type StoreErrorClass = new (
  code: 'INVALID_OPTIONS' | 'INVALID_INPUT' | 'STORE_ERROR' | 'STORE_DECRYPT_FAILED',
  message: string,
  options?: { cause?: unknown },
) => OAuthError;

/** One AES-256-GCM key: raw 32 bytes or a WebCrypto `CryptoKey` (AES-GCM, usages encrypt+decrypt). */
export interface EncryptionKey {
  /** Stored next to every sealed record so keys can rotate: 1–64 chars of `[A-Za-z0-9_-]`. */
  id: string;
  key: Uint8Array | CryptoKey;
}

/** Encryption at rest: new records are sealed with `current`; `previous` keys still open old records. */
export interface EncryptionOptions {
  current: EncryptionKey;
  previous?: EncryptionKey[];
  /**
   * Read records written before encryption was turned on (they are sealed on their next write).
   * Default `false`: an unsealed record is refused with `STORE_DECRYPT_FAILED`.
   */
  readPlaintext?: boolean;
}

// Sealed records are text: `rs1.<key id>.<iv>.<ciphertext+tag>` (base64url). JSON never starts with
// `r`, so a sealed record is told apart from a plaintext one without a flag column.
const PREFIX = 'rs1.';
const KEY_ID = /^[A-Za-z0-9_-]{1,64}$/;
const IV_BYTES = 12;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

function toBase64url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

function fromBase64url(text: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(Buffer.from(text, 'base64url'));
}

async function importKey(entry: EncryptionKey, StoreError: StoreErrorClass): Promise<CryptoKey> {
  if (!KEY_ID.test(entry.id)) {
    throw new StoreError('INVALID_OPTIONS', 'An encryption key id must be 1-64 characters of [A-Za-z0-9_-].');
  }
  if (entry.key instanceof Uint8Array) {
    if (entry.key.byteLength !== 32) {
      throw new StoreError(
        'INVALID_OPTIONS',
        `Encryption key "${entry.id}" has ${entry.key.byteLength} bytes; AES-256-GCM needs exactly 32 random bytes.`,
      );
    }
    return crypto.subtle.importKey('raw', new Uint8Array(entry.key), { name: 'AES-GCM' }, false, [
      'encrypt',
      'decrypt',
    ]);
  }
  const algorithm = entry.key.algorithm as { name?: string };
  if (algorithm.name !== 'AES-GCM' || !entry.key.usages.includes('encrypt') || !entry.key.usages.includes('decrypt')) {
    throw new StoreError(
      'INVALID_OPTIONS',
      `Encryption key "${entry.id}" must be an AES-GCM CryptoKey usable for encrypt and decrypt.`,
    );
  }
  return entry.key;
}

/**
 * Turns record JSON into stored text and back. Without encryption it stores the JSON itself; with
 * encryption it seals the JSON with AES-256-GCM under the current key. The additional data binds
 * each record to its row (table + key), so a sealed record copied into another row does not open.
 * Written here rather than taken from jose: a JWE would add a dependency and ~100 bytes per record
 * for no gain, and WebCrypto AES-GCM is the whole job. Shared by every durable store package.
 */
export class RecordSealer {
  readonly #keys: Promise<{ currentId: string; byId: Map<string, CryptoKey> }> | undefined;
  readonly #readPlaintext: boolean;
  readonly #Error: StoreErrorClass;

  /** `StoreError` is the store's own `OAuthError` subclass; sealing errors are thrown as it. */
  constructor(options: EncryptionOptions | undefined, StoreError: StoreErrorClass) {
    this.#Error = StoreError;
    this.#readPlaintext = options?.readPlaintext ?? false;
    if (!options) return;
    const all = [options.current, ...(options.previous ?? [])];
    const ids = new Set(all.map((k) => k.id));
    if (ids.size !== all.length) {
      throw new this.#Error('INVALID_OPTIONS', 'Two encryption keys share one id; every key needs its own id.');
    }
    this.#keys = (async () => {
      const byId = new Map<string, CryptoKey>();
      for (const entry of all) byId.set(entry.id, await importKey(entry, StoreError));
      return { currentId: options.current.id, byId };
    })();
    // Surface a bad key at the first use, but never as an unhandled rejection.
    this.#keys.catch(() => undefined);
  }

  get encrypted(): boolean {
    return this.#keys !== undefined;
  }

  /** Whether `open` has work to do for this stored text (otherwise it is the JSON itself). */
  mustOpen(stored: string): boolean {
    return this.#keys !== undefined || stored.startsWith(PREFIX);
  }

  /** Validates the keys (the constructor cannot await): call once when opening. */
  async ready(): Promise<void> {
    await this.#keys;
  }

  /**
   * A value → the text a store writes: JSON, sealed when encryption is on. `what` names the value in
   * error messages. Refuses what JSON would silently mangle (`undefined`, functions, CryptoKeys).
   */
  encodeRecord(value: unknown, aad: string, what: string): string | Promise<string> {
    let json: string | undefined;
    try {
      json = JSON.stringify(value, refuseCryptoKeys);
    } catch (err) {
      throw new this.#Error('INVALID_INPUT', `The ${what} is not JSON-serialisable: ${(err as Error).message}.`, {
        cause: err,
      });
    }
    if (json === undefined) {
      throw new this.#Error('INVALID_INPUT', `The ${what} is undefined or a function; store a JSON value.`);
    }
    return this.encrypted ? this.seal(json, aad) : json;
  }

  /** The text a store read → a fresh value (opened first when sealed); altered rows are `STORE_ERROR`. */
  decodeRecord<V>(stored: string, aad: string, what: string): V | Promise<V> {
    if (this.mustOpen(stored)) return this.open(stored, aad).then((json) => this.#parse<V>(json, what));
    return this.#parse<V>(stored, what);
  }

  #parse<V>(json: string, what: string): V {
    try {
      return JSON.parse(json) as V;
    } catch (err) {
      throw new this.#Error('STORE_ERROR', `The stored ${what} is not valid JSON; the record was altered.`, {
        cause: err,
      });
    }
  }

  /** Seals record JSON under the current key; `aad` names the row (table + key) it belongs to. */
  async seal(json: string, aad: string): Promise<string> {
    if (!this.#keys) return json;
    const { currentId, byId } = await this.#keys;
    const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
    const sealed = await crypto.subtle.encrypt(
      { name: 'AES-GCM', iv, additionalData: encoder.encode(aad) },
      byId.get(currentId) as CryptoKey,
      encoder.encode(json),
    );
    return `${PREFIX}${currentId}.${toBase64url(iv)}.${toBase64url(new Uint8Array(sealed))}`;
  }

  /** Opens what `seal` produced for the same `aad`; a wrong key, row or byte is `STORE_DECRYPT_FAILED`. */
  async open(stored: string, aad: string): Promise<string> {
    if (!stored.startsWith(PREFIX)) {
      if (this.#keys && !this.#readPlaintext) {
        throw new this.#Error(
          'STORE_DECRYPT_FAILED',
          'A record is stored unencrypted but encryption is on; set encryption.readPlaintext while migrating.',
        );
      }
      return stored;
    }
    if (!this.#keys) {
      throw new this.#Error(
        'STORE_DECRYPT_FAILED',
        'A record is encrypted but no encryption key is configured; pass the keys it was sealed with.',
      );
    }
    const [id, iv, data] = stored.slice(PREFIX.length).split('.');
    const { byId } = await this.#keys;
    const key = id === undefined ? undefined : byId.get(id);
    if (!key || iv === undefined || data === undefined) {
      throw new this.#Error(
        'STORE_DECRYPT_FAILED',
        `A record is sealed with key id "${id && KEY_ID.test(id) ? id : '?'}", which is not among the configured keys.`,
      );
    }
    try {
      const plain = await crypto.subtle.decrypt(
        { name: 'AES-GCM', iv: fromBase64url(iv), additionalData: encoder.encode(aad) },
        key,
        fromBase64url(data),
      );
      return decoder.decode(plain);
    } catch (err) {
      throw new this.#Error(
        'STORE_DECRYPT_FAILED',
        `A record sealed with key "${id}" did not open: the key material differs, or the record was altered or moved.`,
        { cause: err },
      );
    }
  }
}

/**
 * JSON would turn a CryptoKey into `{}` and lose it silently (a browser session with
 * `dpopKeyStorage: 'crypto-key'`): refuse it, so the mistake surfaces at the first write.
 */
function refuseCryptoKeys(_key: string, value: unknown): unknown {
  if (typeof CryptoKey !== 'undefined' && value instanceof CryptoKey) {
    throw new TypeError(
      "a CryptoKey cannot be stored as JSON; use dpopKeyStorage: 'jwk' (the default) with this store",
    );
  }
  return value;
}
