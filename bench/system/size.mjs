// Browser bundle weight: a complete Relay client (oauth-core + identity + dpop + pkce) vs the official
// browser client, each bundled with esbuild (browser platform, minified) and gzipped (level 9).
// `--check` compares ours with size-budget.json and exits 1 on a regression (size is deterministic).
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const ENTRIES = {
  relay: `
    export { OAuthClient, buildClientMetadata, loopbackClientMetadata, buildLoopbackClientId } from '@relay/oauth-core';
    export { createIdentityResolver, createXrpcHandleResolver, createSafeFetch } from '@relay/identity';`,
  official: `export { BrowserOAuthClient } from '@atproto/oauth-client-browser';`,
};

async function measure(name) {
  const result = await build({
    stdin: { contents: ENTRIES[name], resolveDir: join(here, '..'), loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0].contents;
  const byPackage = {};
  for (const [file, info] of Object.entries(Object.values(result.metafile.outputs)[0].inputs)) {
    const m =
      file.match(/node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/) ??
      file.match(/^\.\.\/(packages\/[^/]+)/);
    const key = m ? m[1] : file;
    byPackage[key] = (byPackage[key] ?? 0) + info.bytesInOutput;
  }
  return { minified: code.length, gzip: gzipSync(code, { level: 9 }).length, byPackage };
}

export async function sizeBench() {
  const relay = await measure('relay');
  const official = await measure('official');
  return { relay, official };
}

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

export function sizeTable({ relay, official }) {
  const rows = [
    '| bundle | minified | gzip | vs official (gzip) |',
    '|---|--:|--:|--:|',
    `| Relay: oauth-core + identity + dpop + pkce | ${kb(relay.minified)} | ${kb(relay.gzip)} | ${(relay.gzip / official.gzip).toFixed(2)}× |`,
    `| @atproto/oauth-client-browser 0.5.7 | ${kb(official.minified)} | ${kb(official.gzip)} | 1.00× |`,
    '',
    "Where the Relay bundle's minified bytes come from:",
    '',
    '| input | minified bytes |',
    '|---|--:|',
    ...Object.entries(relay.byPackage)
      .sort((a, b) => b[1] - a[1])
      .filter(([, n]) => n > 0)
      .map(([k, n]) => `| ${k} | ${n} |`),
  ];
  return rows.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const budgetFile = join(here, '..', 'size-budget.json');
  if (process.argv.includes('--check')) {
    const budget = JSON.parse(readFileSync(budgetFile, 'utf8'));
    const { gzip } = await measure('relay');
    const line = `size: Relay browser bundle ${gzip} B gzip (budget ${budget.relayGzipBytes} B)`;
    if (gzip > budget.relayGzipBytes) {
      process.stderr.write(`${line}: OVER BUDGET. Shrink it, or raise bench/size-budget.json with a reason.\n`);
      process.exit(1);
    }
    process.stdout.write(`${line}: ok\n`);
  } else {
    const r = await sizeBench();
    process.stdout.write(`${sizeTable(r)}\n`);
    if (process.argv.includes('--write-budget')) {
      writeFileSync(budgetFile, `${JSON.stringify({ relayGzipBytes: r.relay.gzip + 512 }, null, 2)}\n`);
    }
  }
}
