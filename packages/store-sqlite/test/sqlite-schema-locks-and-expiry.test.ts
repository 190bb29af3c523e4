import { statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStoreError, SqliteStores } from '../src/index.js';
import { codeOf, type LooseStores, sqliteFixture } from './support/sqlite.js';
import { startWorker } from './support/workers.js';

const fx = sqliteFixture();
afterAll(() => fx.cleanup());
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const did = 'did:plc:ewvi7nxzyoun6zhxrhs64oiz';

describe('opening a database', () => {
  it('creates the file private to its user (0600), in WAL mode, at the latest schema version', async () => {
    const path = fx.file();
    const s = await fx.open(path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(s.database.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(s.schemaVersion).toBe(1);
    const tables = s.database
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'relay_%' ORDER BY name")
      .pluck()
      .all();
    expect(tables).toEqual([
      'relay_locks',
      'relay_nonces',
      'relay_schema_migrations',
      'relay_sessions',
      'relay_states',
    ]);
  });

  it('reopening keeps the data and runs no migration twice', async () => {
    const path = fx.file();
    const a = await fx.open(path);
    await a.session.set(did, 's', { v: 1 });
    a.close();
    const b = await fx.open(path);
    expect(await b.session.get(did, 's')).toEqual({ v: 1 });
    expect(b.database.prepare('SELECT count(*) FROM relay_schema_migrations').pluck().get()).toBe(1);
  });

  it('4 processes opening one fresh file at once migrate it exactly once', async () => {
    const path = fx.file();
    const workers = Array.from({ length: 4 }, () => startWorker({ mode: 'open', path }));
    await Promise.all(workers.map((w) => w.next('ready')));
    const opened = workers.map((w) => w.next<{ version: number }>('opened'));
    for (const w of workers) w.send({ type: 'go' });
    expect((await Promise.all(opened)).map((o) => o.version)).toEqual([1, 1, 1, 1]);
    await Promise.all(workers.map((w) => w.exited));
    const s = await fx.open(path);
    expect(s.database.prepare('SELECT version FROM relay_schema_migrations').pluck().all()).toEqual([1]);
  }, 60_000);

  it('a database migrated by a newer version of the package is refused with STORE_ERROR', async () => {
    const path = fx.file();
    (await fx.open(path)).close();
    const db = new Database(path);
    db.prepare('INSERT INTO relay_schema_migrations (version, applied_at) VALUES (99, 0)').run();
    db.close();
    const err = await SqliteStores.open({ path }).catch((e: unknown) => e);
    expect((err as SqliteStoreError).code).toBe('STORE_ERROR');
    expect((err as Error).message).toMatch(/newer/);
  });

  it('an open connection can be passed in, and close() leaves it open', async () => {
    const db = new Database(fx.file());
    const s = await SqliteStores.open({ database: db, cleanupIntervalMs: 0 });
    await s.state.set('k', {} as never, 10_000);
    s.close();
    expect(db.open).toBe(true);
    expect(db.prepare('SELECT count(*) FROM relay_states').pluck().get()).toBe(1);
    db.close();
  });

  it('bad options are INVALID_OPTIONS', async () => {
    expect(await codeOf(() => SqliteStores.open({}))).toBe('INVALID_OPTIONS');
    expect(await codeOf(() => SqliteStores.open({ path: fx.file(), database: new Database(':memory:') }))).toBe(
      'INVALID_OPTIONS',
    );
  });
});

describe('DPoP nonces', () => {
  it('NONCE-04: nonces are kept per origin and shared by every connection on the file', async () => {
    const path = fx.file();
    const [a, b] = [await fx.open(path), await fx.open(path)];
    await b.nonces.set('https://as.example', 'as-nonce');
    await b.nonces.set('https://pds.example', 'pds-nonce');
    expect(await a.nonces.get('https://as.example')).toBe('as-nonce');
    expect(await a.nonces.get('https://pds.example')).toBe('pds-nonce');
    expect(await a.nonces.get('https://other.example')).toBeUndefined();
    await a.nonces.set('https://as.example', 'rotated');
    expect(await b.nonces.get('https://as.example')).toBe('rotated');
  });
});

describe('expiry and clean-up', () => {
  it('an expired state or nonce is never returned; sweep deletes them', async () => {
    let now = 1_000_000;
    const s = await fx.open(fx.file(), { clock: () => now, nonceTtlMs: 60_000 });
    await s.state.set('old', { v: 1 }, 1_000);
    await s.state.set('fresh', { v: 2 }, 100_000);
    await s.nonces.set('https://as.example', 'n1');
    now += 61_000;
    expect(await s.nonces.get('https://as.example')).toBeUndefined();
    expect(s.sweep()).toEqual({ states: 1, nonces: 1 });
    expect(await s.state.take('old')).toBeUndefined();
    expect(await s.state.take('fresh')).toEqual({ v: 2 });
  });

  it('an expired state read before any sweep is still not returned (and is consumed)', async () => {
    let now = 5_000;
    const s = await fx.open(fx.file(), { clock: () => now });
    await s.state.set('k', { v: 1 }, 100);
    now += 100;
    expect(await s.state.take('k')).toBeUndefined();
    expect(s.database.prepare('SELECT count(*) FROM relay_states').pluck().get()).toBe(0);
  });

  it('the periodic clean-up removes expired rows on its own', async () => {
    const s = await fx.open(fx.file(), { cleanupIntervalMs: 20 });
    await s.state.set('k', { v: 1 }, 1);
    const count = () => s.database.prepare('SELECT count(*) FROM relay_states').pluck().get();
    for (let i = 0; i < 200 && count() !== 0; i++) await sleep(20);
    expect(count()).toBe(0);
  });
});

describe('lock leases', () => {
  const row = (s: LooseStores, key: string) =>
    s.database.prepare('SELECT owner, fence, expires_at FROM relay_locks WHERE key = ?').get(key) as {
      owner: string;
      fence: number;
      expires_at: number;
    };

  it('a live holder keeps the key past heartbeatMs by renewing it, and its signal stays quiet', async () => {
    const path = fx.file();
    const [a, b] = [await fx.open(path), await fx.open(path)];
    const result = await a
      .createLock({ heartbeatMs: 150 })
      .withLock('renewed', { leaseMs: 10_000, waitMs: 1_000 }, async (lease) => {
        const code = await codeOf(() =>
          b.createLock().withLock('renewed', { leaseMs: 1_000, waitMs: 600 }, async () => undefined),
        );
        const left = row(a, 'renewed').expires_at - Date.now();
        return { code, aborted: lease.signal.aborted, left };
      });
    expect(result.code).toBe('LOCK_TIMEOUT');
    expect(result.aborted).toBe(false);
    expect(result.left).toBeGreaterThan(0);
    expect(result.left).toBeLessThanOrEqual(150);
    // Released: the row stays (it carries the fence) but is free.
    expect(row(a, 'renewed')).toMatchObject({ owner: '', expires_at: 0, fence: 1 });
  });

  it('renewal stops at leaseMs: the signal aborts and the next holder gets in', async () => {
    const path = fx.file();
    const [a, b] = [await fx.open(path), await fx.open(path)];
    let release!: () => void;
    let aborted!: Promise<void>;
    const first = a
      .createLock({ heartbeatMs: 100 })
      .withLock('capped', { leaseMs: 400, waitMs: 1_000 }, async (lease) => {
        aborted = new Promise<void>((resolve) => lease.signal.addEventListener('abort', () => resolve()));
        await new Promise<void>((resolve) => (release = resolve));
      });
    await sleep(20);
    const second = await b.createLock().withLock('capped', { leaseMs: 1_000, waitMs: 3_000 }, async (lease) => {
      await aborted;
      return lease.fence.token;
    });
    expect(second).toBe(2);
    release();
    await first;
  });

  it('a holder whose row was taken over learns it at its next renewal, and cannot free the new owner', async () => {
    const s = await fx.open(fx.file());
    const aborted = await s
      .createLock({ heartbeatMs: 300 })
      .withLock('taken', { leaseMs: 10_000, waitMs: 1_000 }, async (lease) => {
        s.database
          .prepare("UPDATE relay_locks SET owner = 'someone-else', fence = fence + 1 WHERE key = 'taken'")
          .run();
        await new Promise<void>((resolve) => lease.signal.addEventListener('abort', () => resolve()));
        return lease.signal.aborted;
      });
    expect(aborted).toBe(true);
    expect(row(s, 'taken').owner).toBe('someone-else');
  });

  it('REFRESH-03: a stale holder is refused as soon as a newer holder has the lock, before it writes', async () => {
    const path = fx.file();
    const [a, b] = [await fx.open(path), await fx.open(path)];
    await a.session.set(did, 's', { v: 'original' });
    let staleFence!: { lockKey: string; token: number };
    let releaseStale!: () => void;
    const stale = a.createLock().withLock('refresh:s', { leaseMs: 100, waitMs: 1_000 }, async (lease) => {
      staleFence = lease.fence;
      await new Promise<void>((r) => (releaseStale = r));
    });
    await sleep(200);
    await b.createLock().withLock('refresh:s', { leaseMs: 5_000, waitMs: 1_000 }, async () => {
      expect(await codeOf(() => a.session.set(did, 's', { v: 'stale' }, { fence: staleFence }))).toBe('STORE_FENCED');
    });
    releaseStale();
    await stale;
    expect(await b.session.get(did, 's')).toEqual({ v: 'original' });
  });
});

describe('typed errors', () => {
  it('a database held by another connection past busyTimeoutMs is STORE_UNAVAILABLE', async () => {
    const path = fx.file();
    const s = await fx.open(path, { busyTimeoutMs: 50 });
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE');
    try {
      expect(await codeOf(() => s.session.set(did, 's', { v: 1 }))).toBe('STORE_UNAVAILABLE');
      expect(await codeOf(() => s.state.take('k'))).toBe('STORE_UNAVAILABLE');
      expect(await codeOf(() => s.createLock().withLock('k', { leaseMs: 1_000, waitMs: 100 }, async () => 1))).toBe(
        'STORE_UNAVAILABLE',
      );
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    await s.session.set(did, 's', { v: 1 });
    expect(await s.session.get(did, 's')).toEqual({ v: 1 });
  });

  it('a closed store is STORE_UNAVAILABLE', async () => {
    const s = await SqliteStores.open({ path: fx.file() });
    s.close();
    expect(await codeOf(() => s.session.get(did, 's'))).toBe('STORE_UNAVAILABLE');
  });

  it('bad arguments are INVALID_INPUT and name what to fix', async () => {
    const s = await fx.open(fx.file());
    expect(await codeOf(() => s.state.set(42 as never, {}, 1_000))).toBe('INVALID_INPUT');
    expect(await codeOf(() => s.state.set('k', {}, 0))).toBe('INVALID_INPUT');
    expect(await codeOf(() => s.session.set(did, 's', undefined as never))).toBe('INVALID_INPUT');
    expect(await codeOf(() => s.session.set(did, 's', {}, { fence: { lockKey: 'k', token: 1.5 } }))).toBe(
      'INVALID_INPUT',
    );
    const err = await s.state.set('k', {}, -5).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SqliteStoreError);
    expect((err as Error).message).toMatch(/ttlMs must be/);
  });

  it("a session holding a CryptoKey (dpopKeyStorage: 'crypto-key') is refused, not stored as {}", async () => {
    const s = await fx.open(fx.file());
    const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
    const err = await s.session.set(did, 's', { dpopKey: { privateKey: pair.privateKey } }).catch((e: unknown) => e);
    expect((err as SqliteStoreError).code).toBe('INVALID_INPUT');
    expect((err as Error).message).toMatch(/dpopKeyStorage/);
    expect(await s.session.get(did, 's')).toBeUndefined();
  });

  it('a row altered into invalid JSON is STORE_ERROR, not garbage', async () => {
    const s = await fx.open(fx.file());
    await s.session.set(did, 's', { v: 1 });
    s.database.prepare("UPDATE relay_sessions SET value = '{not json'").run();
    expect(await codeOf(() => s.session.get(did, 's'))).toBe('STORE_ERROR');
  });
});
