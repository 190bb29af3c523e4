// Cold import time in Node: a fresh `node` process that imports the client, minus a bare `node`
// start, medians over interleaved rounds. Ours: @relay/oauth-core + @relay/identity/node (what a
// Node app loads); official: @atproto/oauth-client 0.8.7 core (the -node package needs Node 22).
import { execFileSync } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { interleave, median, spread } from './stats.mjs';

const cwd = dirname(dirname(fileURLToPath(import.meta.url)));
const SCRIPTS = {
  bare: '0',
  relay: "await import('@relay/oauth-core'); await import('@relay/identity/node');",
  official: "await import('@atproto/oauth-client');",
};

function timeOnce(code) {
  const t0 = process.hrtime.bigint();
  execFileSync(process.execPath, ['--input-type=module', '-e', code], { cwd, stdio: 'ignore' });
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

export async function importTimeBench(rounds = 15) {
  const samples = await interleave(
    Object.fromEntries(Object.entries(SCRIPTS).map(([k, code]) => [k, async () => timeOnce(code)])),
    rounds,
  );
  const bare = median(samples.bare);
  return Object.fromEntries(
    Object.entries(samples).map(([k, xs]) => [k, { median: median(xs), added: median(xs) - bare, spread: spread(xs) }]),
  );
}

export function importTimeTable(r) {
  return [
    '| process | median wall time | added over bare `node` | spread (ms) |',
    '|---|--:|--:|--:|',
    `| bare \`node\` | ${r.bare.median.toFixed(1)} ms | — | ${r.bare.spread} |`,
    `| Relay (oauth-core + identity/node) | ${r.relay.median.toFixed(1)} ms | **+${r.relay.added.toFixed(1)} ms** | ${r.relay.spread} |`,
    `| @atproto/oauth-client 0.8.7 | ${r.official.median.toFixed(1)} ms | +${r.official.added.toFixed(1)} ms | ${r.official.spread} |`,
    '',
    `Ratio of added time, Relay / official: ${(r.relay.added / r.official.added).toFixed(2)}× (target: Relay ≤ +60 ms).`,
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write(`${importTimeTable(await importTimeBench(Number(process.env.ROUNDS ?? 15)))}\n`);
}
