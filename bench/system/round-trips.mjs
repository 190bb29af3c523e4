// Extra round trips when N requests start at once against a server that demands a DPoP nonce the
// client does not know yet. Each client starts with an empty nonce cache for every N.
import { fileURLToPath } from 'node:url';
import { startLoopbackServer } from './loopback-server.mjs';
import { officialDpopFetch } from './peers.mjs';
import { relaySession } from './relay-session.mjs';

const TOKEN = 'bench-access-token';

export async function roundTripBench(ns = [1, 8, 32]) {
  const out = [];
  for (const n of ns) {
    const row = { n };
    for (const name of ['relay', 'official']) {
      const server = await startLoopbackServer({ demandNonce: true });
      const url = `${server.origin}/xrpc/com.atproto.server.getSession`;
      const f =
        name === 'relay'
          ? (
              (s) => (u) =>
                s.fetch(u)
            )(await relaySession({ origin: server.origin, accessToken: TOKEN }))
          : await officialDpopFetch({ fetch: globalThis.fetch, accessToken: TOKEN });
      const statuses = await Promise.all(Array.from({ length: n }, async () => (await f(url)).status));
      row[name] = { extra: server.requests() - n, ok: statuses.filter((s) => s === 200).length };
      await server.close();
    }
    out.push(row);
  }
  return out;
}

export function roundTripTable(rows) {
  return [
    '| concurrent first requests (N) | Relay: extra round trips | official: extra round trips | Relay successes | official successes |',
    '|--:|--:|--:|--:|--:|',
    ...rows.map(
      (r) => `| ${r.n} | **${r.relay.extra}** | ${r.official.extra} | ${r.relay.ok}/${r.n} | ${r.official.ok}/${r.n} |`,
    ),
    '',
    'Target: Relay ≤ 1 extra round trip for any N (its nonce store coalesces first requests per origin).',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write(`${roundTripTable(await roundTripBench())}\n`);
}
