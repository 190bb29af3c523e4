// @relay/store-sqlite against raw better-sqlite3 on the same file, same rows, same JSON, in one run.
// Run with `pnpm --filter @relay/store-sqlite bench` (from the root, `pnpm bench` builds first).
// Each round runs the raw driver and ours back to back for ROUND_MS each; the table shows the median
// ops/s over ROUNDS rounds and the median per-round ratio to the raw driver (target >= 0.70).
// The raw side does what a hand-written store must do at least: a prepared statement plus
// JSON.stringify/parse. Ours adds argument checks, expiry checks and error translation, and is async.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Bench } from 'tinybench';
import { SqliteStores } from '../dist/index.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 21);
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 100);
const BATCH = 16; // operations per timed iteration, so the harness's own cost does not dominate

const dir = mkdtempSync(join(tmpdir(), 'relay-sqlite-bench-'));
const path = join(dir, 'bench.db');
const ours = await SqliteStores.open({ path, cleanupIntervalMs: 0 });
const sealed = await SqliteStores.open({
  path: join(dir, 'sealed.db'),
  cleanupIntervalMs: 0,
  encryption: { current: { id: 'k1', key: crypto.getRandomValues(new Uint8Array(32)) } },
});
const raw = new Database(path);
raw.pragma('journal_mode = WAL');
raw.pragma('synchronous = NORMAL');

const did = 'did:plc:ewvi7nxzyoun6zhxrhs64oiz';
const b64 = (n) => Buffer.from(crypto.getRandomValues(new Uint8Array(n))).toString('base64url');
// A session the size of a real one: DPoP private JWK, two opaque tokens, scopes, metadata.
const session = {
  did,
  sessionId: 'bench-session',
  issuer: 'https://bsky.social',
  pds: 'https://morel.us-east.host.bsky.network',
  dpopKey: { kty: 'EC', crv: 'P-256', x: b64(32), y: b64(32), d: b64(32) },
  authMethod: { method: 'none' },
  tokens: {
    accessToken: b64(600),
    refreshToken: b64(200),
    expiresAt: Date.now() + 3.6e6,
    scope: 'atproto transition:generic',
  },
  requestedScope: 'atproto transition:generic',
  createdAt: Date.now(),
  updatedAt: Date.now(),
};
const pending = {
  issuer: session.issuer,
  dpopKey: session.dpopKey,
  verifier: b64(32),
  redirectUri: 'https://app.example/cb',
  scope: 'atproto',
  authMethod: { method: 'none' },
};

const rawUpsert = raw.prepare(
  'INSERT INTO relay_sessions (did, session_id, value, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (did, session_id) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
);
const rawGet = raw.prepare('SELECT value FROM relay_sessions WHERE did = ? AND session_id = ?');
const rawStateSet = raw.prepare(
  'INSERT INTO relay_states (key, value, expires_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at',
);
const rawTake = raw.prepare('DELETE FROM relay_states WHERE key = ? RETURNING value, expires_at');

await ours.session.set(did, 'ours', session);
await sealed.session.set(did, 'ours', session);
rawUpsert.run(did, 'raw', JSON.stringify(session), Date.now());

const groups = [
  {
    op: 'session set',
    raw: () => rawUpsert.run(did, 'raw', JSON.stringify(session), Date.now()),
    ours: () => ours.session.set(did, 'ours', session),
    sealed: () => sealed.session.set(did, 'ours', session),
  },
  {
    op: 'session get',
    raw: () => JSON.parse(rawGet.get(did, 'raw').value),
    ours: () => ours.session.get(did, 'ours'),
    sealed: () => sealed.session.get(did, 'ours'),
  },
  {
    op: 'state set + take',
    raw: () => {
      rawStateSet.run('raw-state', JSON.stringify(pending), Date.now() + 600_000);
      const row = rawTake.get('raw-state');
      return row.expires_at > Date.now() ? JSON.parse(row.value) : undefined;
    },
    ours: async () => {
      await ours.state.set('ours-state', pending, 600_000);
      return ours.state.take('ours-state');
    },
    sealed: async () => {
      await sealed.state.set('ours-state', pending, 600_000);
      return sealed.state.take('ours-state');
    },
  },
];

// The three implementations of one operation run back to back in each round (order rotated), so
// they see the same machine load; the ratio is taken per round and its median reported, which is
// steadier on a shared machine than comparing medians measured seconds apart.
const WHO = ['raw better-sqlite3', '@relay/store-sqlite', '@relay/store-sqlite (encrypted)'];
const iteration = (fn, isAsync) =>
  isAsync
    ? async () => {
        for (let j = 0; j < BATCH; j++) await fn();
      }
    : () => {
        for (let j = 0; j < BATCH; j++) fn();
      };
const samples = new Map(groups.map((g) => [g.op, WHO.map(() => [])]));
for (let round = 0; round < ROUNDS; round++) {
  for (const g of groups) {
    const fns = [
      [g.raw, false],
      [g.ours, true],
      [g.sealed, true],
    ];
    const bench = new Bench({ time: ROUND_MS, warmupTime: 20, iterations: 5 });
    for (let i = 0; i < WHO.length; i++) {
      const k = (i + round) % WHO.length;
      bench.add(WHO[k], iteration(...fns[k]));
    }
    await bench.run();
    for (const task of bench.tasks) samples.get(g.op)[WHO.indexOf(task.name)].push((1000 / task.result.period) * BATCH);
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rows = [];
for (const g of groups) {
  const [base, ...others] = samples.get(g.op);
  rows.push({ op: g.op, implementation: WHO[0], 'ops/s': Math.round(median(base)), 'x raw': '1.00' });
  others.forEach((series, i) => {
    const ratio = median(series.map((ops, r) => ops / base[r]));
    rows.push({ op: g.op, implementation: WHO[i + 1], 'ops/s': Math.round(median(series)), 'x raw': ratio.toFixed(2) });
  });
}
console.log(`SQLite file in ${tmpdir()}, WAL, synchronous=NORMAL; median of ${ROUNDS} rounds x ${ROUND_MS} ms`);
console.table(rows);
const plain = rows.filter((r) => r.implementation === '@relay/store-sqlite');
const worst = Math.min(...plain.map((r) => Number(r['x raw'])));
console.log(`unencrypted @relay/store-sqlite vs raw: worst ratio ${worst.toFixed(2)} (target >= 0.70)`);

ours.close();
sealed.close();
raw.close();
rmSync(dir, { recursive: true, force: true });
