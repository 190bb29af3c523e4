import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStoreError } from '../src/index.js';
import { codeOf, sqliteFixture } from './support/sqlite.js';

const fx = sqliteFixture();
afterAll(() => fx.cleanup());

const did = 'did:plc:ewvi7nxzyoun6zhxrhs64oiz';
const k1 = { id: 'k1', key: crypto.getRandomValues(new Uint8Array(32)) };
const k2 = { id: 'k2', key: crypto.getRandomValues(new Uint8Array(32)) };
const session = {
  did,
  dpopKey: { kty: 'EC', crv: 'P-256', x: 'pub-x', y: 'pub-y', d: 'PRIVATE-SCALAR-d-value' },
  tokens: { accessToken: 'at-SECRET-ACCESS', refreshToken: 'rt-SECRET-REFRESH', scope: 'atproto' },
};
const SECRETS = ['PRIVATE-SCALAR-d-value', 'at-SECRET-ACCESS', 'rt-SECRET-REFRESH'];

/** The raw driver on the file, as an attacker with a copy of it would read it. */
function rawValue(path: string, sql: string, ...params: string[]): string {
  const db = new Database(path, { readonly: true });
  try {
    return db
      .prepare(sql)
      .pluck()
      .get(...params) as string;
  } finally {
    db.close();
  }
}
const sessionSql = 'SELECT value FROM relay_sessions WHERE did = ? AND session_id = ?';

describe('encryption at rest', () => {
  it('a raw read of the file shows no token or key in clear', async () => {
    const path = fx.file();
    const s = await fx.open(path, { encryption: { current: k1 } });
    await s.session.set(did, 'phone', session);
    await s.state.set('st-1', { dpopKey: session.dpopKey, verifier: 'pkce-verifier-SECRET' }, 60_000);
    s.database.pragma('wal_checkpoint(TRUNCATE)');
    const stored = [rawValue(path, sessionSql, did, 'phone'), rawValue(path, 'SELECT value FROM relay_states')];
    for (const value of stored) {
      expect(value.startsWith('rs1.k1.')).toBe(true);
      for (const secret of [...SECRETS, 'pkce-verifier-SECRET', 'pub-x', 'atproto'])
        expect(value).not.toContain(secret);
    }
    // Nor anywhere in the file's bytes (free pages, WAL leftovers).
    const { readFileSync } = await import('node:fs');
    const bytes = readFileSync(path).toString('latin1');
    for (const secret of SECRETS) expect(bytes).not.toContain(secret);
    expect(await s.session.get(did, 'phone')).toEqual(session);
  });

  it('the wrong key is a typed STORE_DECRYPT_FAILED, never garbage, and the message holds no secret', async () => {
    const path = fx.file();
    const writer = await fx.open(path, { encryption: { current: k1 } });
    await writer.session.set(did, 'phone', session);
    const impostor = await fx.open(path, { encryption: { current: { id: 'k1', key: k2.key } } });
    const err = await impostor.session.get(did, 'phone').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SqliteStoreError);
    expect((err as SqliteStoreError).code).toBe('STORE_DECRYPT_FAILED');
    for (const secret of SECRETS) expect((err as Error).message).not.toContain(secret);
    const other = await fx.open(path, { encryption: { current: k2 } });
    expect(await codeOf(() => other.session.get(did, 'phone'))).toBe('STORE_DECRYPT_FAILED');
  });

  it('keys rotate: records sealed with a previous key still open, new writes use the current key', async () => {
    const path = fx.file();
    const old = await fx.open(path, { encryption: { current: k1 } });
    await old.session.set(did, 'phone', session);
    const rotated = await fx.open(path, { encryption: { current: k2, previous: [k1] } });
    expect(await rotated.session.get(did, 'phone')).toEqual(session);
    await rotated.session.set(did, 'phone', session);
    expect(rawValue(path, sessionSql, did, 'phone')).toMatch(/^rs1\.k2\./);
    expect(await codeOf(() => old.session.get(did, 'phone'))).toBe('STORE_DECRYPT_FAILED');
  });

  it('a sealed record copied to another session, or altered by one byte, does not open', async () => {
    const s = await fx.open(fx.file(), { encryption: { current: k1 } });
    await s.session.set(did, 'victim', session);
    s.database
      .prepare(
        "INSERT INTO relay_sessions (did, session_id, value, updated_at) SELECT did, 'attacker', value, 0 FROM relay_sessions WHERE session_id = 'victim'",
      )
      .run();
    expect(await codeOf(() => s.session.get(did, 'attacker'))).toBe('STORE_DECRYPT_FAILED');
    const sealed = s.database
      .prepare("SELECT value FROM relay_sessions WHERE session_id = 'victim'")
      .pluck()
      .get() as string;
    const flipped = `${sealed.slice(0, -2)}${sealed.at(-2) === 'A' ? 'B' : 'A'}${sealed.slice(-1)}`;
    s.database.prepare("UPDATE relay_sessions SET value = ? WHERE session_id = 'victim'").run(flipped);
    expect(await codeOf(() => s.session.get(did, 'victim'))).toBe('STORE_DECRYPT_FAILED');
  });

  it('sealed data without keys, or plaintext with keys, is refused unless readPlaintext is set to migrate', async () => {
    const path = fx.file();
    const sealed = await fx.open(path, { encryption: { current: k1 } });
    await sealed.session.set(did, 'a', session);
    const plain = await fx.open(path);
    expect(await codeOf(() => plain.session.get(did, 'a'))).toBe('STORE_DECRYPT_FAILED');
    await plain.session.set(did, 'b', session);
    expect(await codeOf(() => sealed.session.get(did, 'b'))).toBe('STORE_DECRYPT_FAILED');
    const migrating = await fx.open(path, { encryption: { current: k1, readPlaintext: true } });
    expect(await migrating.session.get(did, 'b')).toEqual(session);
    await migrating.session.set(did, 'b', session);
    expect(rawValue(path, sessionSql, did, 'b')).toMatch(/^rs1\.k1\./);
  });

  it('bad keys are INVALID_OPTIONS when the stores open', async () => {
    const open = (encryption: unknown) => () => fx.open(fx.file(), { encryption: encryption as never });
    expect(await codeOf(open({ current: { id: 'k', key: new Uint8Array(16) } }))).toBe('INVALID_OPTIONS');
    expect(await codeOf(open({ current: { id: 'has space', key: k1.key } }))).toBe('INVALID_OPTIONS');
    expect(await codeOf(open({ current: k1, previous: [{ id: 'k1', key: k2.key }] }))).toBe('INVALID_OPTIONS');
    const hmac = await crypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    expect(await codeOf(open({ current: { id: 'k', key: hmac } }))).toBe('INVALID_OPTIONS');
    const aes = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
    const s = await fx.open(fx.file(), { encryption: { current: { id: 'ck', key: aes } } });
    await s.state.set('x', { v: 1 }, 10_000);
    expect(await s.state.take('x')).toEqual({ v: 1 });
  });
});
