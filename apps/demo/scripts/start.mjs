#!/usr/bin/env node
// `pnpm --filter @relay/demo start`: builds the portal and the workspace packages it runs on when
// any of their builds is missing (a fresh clone), then starts the portal (dist/main.js).
// After editing sources, rebuild with `pnpm build` (turbo only rebuilds what changed).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const app = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const root = path.resolve(app, '../..');
const needed = [
  'apps/demo/dist/main.js',
  'packages/pkce/dist/index.js',
  'packages/dpop/dist/index.js',
  'packages/identity/dist/index.js',
  'packages/oauth-core/dist/index.js',
  'packages/store-sqlite/dist/index.js',
  'packages/store-redis/dist/index.js',
  'tooling/testnet/dist/index.js',
  'tooling/refpds/dist/index.js',
];
const missing = needed.filter((f) => !existsSync(path.join(root, f)));
if (missing.length > 0) {
  console.log(`Building the portal and its packages first (missing ${missing.join(', ')})…`);
  const turbo = path.join(root, 'node_modules', '.bin', 'turbo');
  const filters = [
    '@relay/demo',
    '@relay/pkce',
    '@relay/dpop',
    '@relay/identity',
    '@relay/oauth-core',
    '@relay/store-sqlite',
    '@relay/store-redis',
    '@relay/testnet',
    '@relay/refpds',
  ];
  const build = spawnSync(
    turbo,
    ['run', 'build', '--output-logs=errors-only', ...filters.map((f) => `--filter=${f}`)],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
  if (build.status !== 0) process.exit(build.status ?? 1);
}
await import(path.join(app, 'dist', 'main.js'));
