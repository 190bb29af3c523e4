// DPoP proof creation: ours (node and web builds) against the raw node:crypto ES256 signature (the
// floor) and the peers, measured in one run. Run with `pnpm --filter @relay/dpop bench` (builds first
// through turbo when run from the root). Each round runs every task for ROUND_MS in a rotated
// order; the table shows the median ops/s over ROUNDS rounds, and the ratio to the floor's median.
import { generateKeyPairSync, sign } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { WebcryptoKey } from '@atproto/jwk-webcrypto';
import { exportJWK as joseExportJwk, generateKeyPair as joseGenerateKeyPair, SignJWT } from 'jose';
import * as oauth from 'oauth4webapi';
import { Bench } from 'tinybench';
import * as oursWeb from '../dist/index.js';
import * as ours from '../dist/index.node.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 300);
// each timed iteration runs BATCH operations, so the harness's own per-iteration cost (a timer read,
// an await) does not tax the async tasks against the synchronous floor
const BATCH = 16;
const HTU = 'https://pds.example.com/xrpc/com.atproto.repo.createRecord';
const NONCE = 'eyJ7S_zG.eyJH0-Z.HX4w-7v-nonce-value-0123456789';
const TOKEN = 'Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU';

// --- floor: one raw ES256 signature over a signing input of a real proof's size ---------------------
const { privateKey: rawKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ourKey = await ours.generateDpopKey();
const sample = await ours.createDpopProof(ourKey, { htm: 'POST', htu: HTU, nonce: NONCE, accessToken: TOKEN });
const signingInput = Buffer.from(sample.slice(0, sample.lastIndexOf('.')));
const rawOpts = { key: rawKey, dsaEncoding: 'ieee-p1363' };

// --- jose SignJWT with a WebCrypto key ---------------------------------------------------------------
const joseKeys = await joseGenerateKeyPair('ES256');
const joseJwk = await joseExportJwk(joseKeys.publicKey);
const randomJti = () => Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64url');

// --- oauth4webapi: the DPoP handle's proof step (what every protected request runs) -----------------
const o4wKeys = await oauth.generateKeyPair('ES256');
const o4wHandle = oauth.DPoP({ client_id: 'https://app.example/client-metadata.json' }, o4wKeys);
const o4wUrl = new URL(HTU);
// prime its per-origin nonce cache the way a response would
o4wHandle.cacheNonce(new Response(null, { headers: { 'dpop-nonce': NONCE } }), o4wUrl);

// --- the official client (@atproto/oauth-client 0.8.7) --------------------------------------------------
// dpopFetchWrapper is not re-exported by the package index, so it is loaded from its own file in the
// installed package: the exact code OAuthSession uses. The key is a @atproto/jwk-webcrypto key, as in
// the browser client.
const require = createRequire(import.meta.url);
let officialPkgDir;
try {
  officialPkgDir = dirname(require.resolve('@atproto/oauth-client/package.json'));
} catch {
  // the package's "exports" hides package.json: walk up from its main entry instead
  const main = await import.meta.resolve('@atproto/oauth-client');
  officialPkgDir = join(new URL(main).pathname, '..', '..');
}
const { dpopFetchWrapper } = await import(pathToFileURL(join(officialPkgDir, 'dist/fetch-dpop.js')).href);
// (WebcryptoKey.generate() relies on jose returning a CryptoKeyPair, which only the browser build of
// jose does; on Node the same key is built from a WebCrypto pair, as the browser would have it.)
const officialKey = await WebcryptoKey.fromKeypair(
  await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']),
  'bench-key',
);
const noopFetch = async () => new Response(null, { status: 200 });
const officialNonces = new Map([[new URL(HTU).origin, NONCE]]);
const officialFetch = dpopFetchWrapper({
  key: officialKey,
  supportedAlgs: ['ES256'],
  nonces: { get: async (o) => officialNonces.get(o), set: async (o, n) => void officialNonces.set(o, n) },
  isAuthServer: false,
  fetch: noopFetch,
});
const officialHeader = { alg: 'ES256', typ: 'dpop+jwt', jwk: officialKey.bareJwk };

// --- ours ------------------------------------------------------------------------------------------
const ourWebKey = await oursWeb.generateDpopKey();
const ourNonces = ours.createMemoryNonceStore();
ourNonces.set(new URL(HTU).origin, NONCE);
const ourFetch = ours.createDpopFetch({ key: ourKey, nonces: ourNonces, fetch: noopFetch, accessToken: TOKEN });
const ath = await ours.computeAth(TOKEN);

const tasks = [
  ['raw node:crypto ES256 sign (floor)', () => sign('sha256', signingInput, rawOpts)],
  [
    'jose 6.2.18 SignJWT',
    () =>
      new SignJWT({ jti: randomJti(), htm: 'POST', htu: HTU, nonce: NONCE, ath })
        .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: joseJwk })
        .setIssuedAt()
        .sign(joseKeys.privateKey),
  ],
  ['oauth4webapi 3.8.8 DPoP handle addProof', () => o4wHandle.addProof(o4wUrl, new Headers(), 'POST', TOKEN)],
  [
    '@atproto/oauth-client 0.8.7 proof (WebcryptoKey.createJwt)',
    () =>
      officialKey.createJwt(officialHeader, {
        iat: Math.floor(Date.now() / 1e3),
        jti: Math.random().toString(36).slice(2),
        htm: 'POST',
        htu: HTU,
        nonce: NONCE,
        ath,
      }),
  ],
  [
    '@atproto/oauth-client 0.8.7 dpopFetchWrapper (no-op fetch)',
    () => officialFetch(HTU, { method: 'POST', headers: { authorization: `DPoP ${TOKEN}` } }),
  ],
  [
    '@relay/dpop createDpopProof (node build)',
    () => ours.createDpopProof(ourKey, { htm: 'POST', htu: HTU, nonce: NONCE, ath }),
  ],
  [
    '@relay/dpop createDpopProof (web build)',
    () => oursWeb.createDpopProof(ourWebKey, { htm: 'POST', htu: HTU, nonce: NONCE, ath }),
  ],
  ['@relay/dpop createDpopFetch (node build, no-op fetch)', () => ourFetch(HTU, { method: 'POST' })],
];

// sanity: every task produces what it claims before anything is timed
await oauth.processDpopNonce?.(new Response());
const hdrs = new Headers();
await o4wHandle.addProof(o4wUrl, hdrs, 'POST', TOKEN);
for (const proof of [
  hdrs.get('dpop'),
  await tasks[1][1](),
  await tasks[3][1](),
  await tasks[5][1](),
  await tasks[6][1](),
]) {
  await ours.verifyDpopProof(proof, { htm: 'POST', htu: HTU, replayCache: false });
}

const samples = new Map(tasks.map(([name]) => [name, []]));
for (let round = 0; round < ROUNDS; round++) {
  const bench = new Bench({ time: ROUND_MS, warmupTime: 50, iterations: 10 });
  const order = tasks.map((_, i) => tasks[(i + round) % tasks.length]);
  for (const [name, fn] of order) {
    bench.add(
      name,
      name === tasks[0][0]
        ? () => {
            for (let i = 0; i < BATCH; i++) fn();
          }
        : async () => {
            for (let i = 0; i < BATCH; i++) await fn();
          },
    );
  }
  await bench.run();
  for (const task of bench.tasks) samples.get(task.name).push((1000 / task.result.period) * BATCH);
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const floor = median(samples.get(tasks[0][0]));
const rows = tasks.map(([name]) => {
  const m = median(samples.get(name));
  return [name, Math.round(m).toLocaleString('en-US'), `${(m / floor).toFixed(2)}×`];
});
const widths = [0, 1, 2].map((c) => Math.max(...rows.map((r) => r[c].length), ['task', 'ops/s', 'vs floor'][c].length));
const line = (cells) =>
  `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
console.log(
  `\nDPoP proof creation — node ${process.version}, median of ${ROUNDS} interleaved rounds × ${ROUND_MS} ms\n`,
);
console.log(line(['task', 'ops/s', 'vs floor']));
console.log(`|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
for (const r of rows) console.log(line(r));
const oursRatio = median(samples.get(tasks[5][0])) / floor;
console.log(`\ntarget: @relay/dpop (node build) ≥ 0.60× the floor — measured ${oursRatio.toFixed(2)}×`);
