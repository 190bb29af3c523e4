// Added latency of one authenticated request over a plain fetch, on loopback: sequential GETs to a
// server that answers at once; per-request medians over interleaved rounds.
import { fileURLToPath } from 'node:url';
import { startLoopbackServer } from './loopback-server.mjs';
import { officialDpopFetch } from './peers.mjs';
import { relaySession } from './relay-session.mjs';
import { interleave, median, spread } from './stats.mjs';

const TOKEN = 'bench-access-token';

export async function latencyBench({ rounds = 9, perRound = 200 } = {}) {
  const server = await startLoopbackServer();
  const url = `${server.origin}/xrpc/com.atproto.server.getSession`;
  const relayNode = await relaySession({ origin: server.origin, accessToken: TOKEN, transport: 'node' });
  const relayGlobal = await relaySession({ origin: server.origin, accessToken: TOKEN, transport: 'global' });
  const official = await officialDpopFetch({ fetch: globalThis.fetch, accessToken: TOKEN });
  const clients = {
    plain: (u) => fetch(u),
    'relay (safe node transport)': (u) => relayNode.fetch(u),
    'relay (safe fetch over global fetch)': (u) => relayGlobal.fetch(u),
    official: (u) => official(u),
  };
  // warm up: connections, nonces, JIT
  for (const f of Object.values(clients)) for (let i = 0; i < 50; i++) await (await f(url)).arrayBuffer();
  const tasks = Object.fromEntries(
    Object.entries(clients).map(([name, f]) => [
      name,
      async () => {
        const t0 = process.hrtime.bigint();
        for (let i = 0; i < perRound; i++) await (await f(url)).arrayBuffer();
        return Number(process.hrtime.bigint() - t0) / 1e3 / perRound; // µs per request
      },
    ]),
  );
  const samples = await interleave(tasks, rounds);
  await server.close();
  const plain = median(samples.plain);
  return Object.fromEntries(
    Object.entries(samples).map(([k, xs]) => [
      k,
      { perRequest: median(xs), added: median(xs) - plain, spread: spread(xs) },
    ]),
  );
}

export function latencyTable(r) {
  const rows = Object.entries(r).map(
    ([k, v]) =>
      `| ${k} | ${v.perRequest.toFixed(0)} µs | ${k === 'plain' ? '—' : `${v.added >= 0 ? '+' : ''}${v.added.toFixed(0)} µs`} | ${v.spread} |`,
  );
  return [
    '| client | per request (median) | added over plain fetch | spread (µs) |',
    '|---|--:|--:|--:|',
    ...rows,
    '',
    'Target: Relay ≤ +250 µs. "official" is @atproto/oauth-client 0.8.7\'s DPoP fetch wrapper over the global fetch.',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write(`${latencyTable(await latencyBench({ rounds: Number(process.env.ROUNDS ?? 9) }))}\n`);
}
