// @relay/store-redis against raw ioredis on the same Redis, same keys shape, same JSON, in one run.
// Run with `pnpm --filter @relay/store-redis bench` (from the root, `pnpm bench` builds first);
// REDIS_URL picks the server (default redis://127.0.0.1:6379). Each round runs raw ioredis and ours
// back to back for ROUND_MS each; the table shows the median ops/s over ROUNDS rounds and the median
// per-round ratio to raw ioredis doing the same commands (target >= 0.70). Every timed iteration
// sends BATCH operations concurrently on one connection, as a server handling parallel requests would.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { Bench } from 'tinybench';
import { RedisStores } from '../dist/index.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 21);
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 100);
const BATCH = 16;
const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `relay-bench:${randomBytes(4).toString('hex')}:`;

const rawClient = new Redis(url);
const oursClient = new Redis(url);
const sealedClient = new Redis(url);
const ours = await RedisStores.open({ redis: oursClient, prefix });
const sealed = await RedisStores.open({
  redis: sealedClient,
  prefix: `${prefix}sealed:`,
  encryption: { current: { id: 'k1', key: crypto.getRandomValues(new Uint8Array(32)) } },
});

const did = 'did:plc:ewvi7nxzyoun6zhxrhs64oiz';
const b64 = (n) => Buffer.from(crypto.getRandomValues(new Uint8Array(n))).toString('base64url');
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
const rawHash = `${prefix}raw-sessions:{${did}}`;
let n = 0;

await ours.session.set(did, 'ours', session);
await sealed.session.set(did, 'ours', session);
await rawClient.hset(rawHash, 'raw', JSON.stringify(session));

const groups = [
  {
    op: 'session set',
    raw: () => rawClient.hset(rawHash, 'raw', JSON.stringify(session)),
    ours: () => ours.session.set(did, 'ours', session),
    sealed: () => sealed.session.set(did, 'ours', session),
  },
  {
    op: 'session get',
    raw: async () => JSON.parse(await rawClient.hget(rawHash, 'raw')),
    ours: () => ours.session.get(did, 'ours'),
    sealed: () => sealed.session.get(did, 'ours'),
  },
  {
    op: 'state set + take',
    raw: async () => {
      const key = `${prefix}raw-state:{${++n}}`;
      await rawClient.set(key, JSON.stringify(pending), 'PX', 600_000);
      const v = await rawClient.getdel(key);
      return v === null ? undefined : JSON.parse(v);
    },
    ours: async () => {
      const key = `s${++n}`;
      await ours.state.set(key, pending, 600_000);
      return ours.state.take(key);
    },
    sealed: async () => {
      const key = `s${++n}`;
      await sealed.state.set(key, pending, 600_000);
      return sealed.state.take(key);
    },
  },
];

// The three implementations of one operation run back to back in each round (order rotated), so
// they see the same machine load; the ratio is taken per round and its median reported, which is
// steadier on a shared machine than comparing medians measured seconds apart.
const WHO = ['raw ioredis 6.0.0', '@relay/store-redis', '@relay/store-redis (encrypted)'];
const iteration = (fn) => () => Promise.all(Array.from({ length: BATCH }, fn));
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
console.log(`Redis at ${url}; ${BATCH} concurrent ops per iteration; median of ${ROUNDS} rounds x ${ROUND_MS} ms`);
console.table(rows);
const plain = rows.filter((r) => r.implementation === '@relay/store-redis');
const worst = Math.min(...plain.map((r) => Number(r['x raw'])));
console.log(`unencrypted @relay/store-redis vs raw: worst ratio ${worst.toFixed(2)} (target >= 0.70)`);

// Clean up every key this run wrote.
let cursor = '0';
do {
  const [next, keys] = await rawClient.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
  cursor = next;
  if (keys.length) await rawClient.del(...keys);
} while (cursor !== '0');
for (const c of [rawClient, oursClient, sealedClient]) c.disconnect();
