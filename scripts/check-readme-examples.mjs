#!/usr/bin/env node
// Type-checks every ```ts / ```typescript block in the project's Markdown (package READMEs, the
// root README, ARCHITECTURE.md and docs/), so documented examples cannot drift from the code.
// Each block must be a self-contained module (its own imports). A block whose info string has
// `no-check` (```ts no-check) is skipped: use it only for deliberate fragments such as type sketches.
// Blocks are written to .readme-examples/ and compiled with the repo's strict tsconfig; packages
// resolve through the root's workspace devDependencies, i.e. against their built dist/ types.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
// One directory per run, so concurrent runs (turbo, several shells) never clobber each other.
const out = join(root, '.readme-examples', String(process.pid));

function markdownFiles() {
  const files = ['README.md', 'ARCHITECTURE.md'].map((f) => join(root, f)).filter((f) => existsSync(f));
  for (const group of ['packages', 'apps', 'tooling']) {
    const dir = join(root, group);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) {
      const readme = join(dir, name, 'README.md');
      if (existsSync(readme)) files.push(readme);
    }
  }
  const walk = (dir) => {
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      // docs/api is typedoc's output (it copies READMEs in); only sources are checked.
      if (statSync(p).isDirectory()) {
        if (p !== join(root, 'docs', 'api')) walk(p);
      } else if (name.endsWith('.md')) files.push(p);
    }
  };
  walk(join(root, 'docs'));
  return files;
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const fence = /^```(ts|typescript)([^\n]*)\n([\s\S]*?)^```\s*$/gm;
let count = 0;
const origins = [];
for (const file of markdownFiles()) {
  const text = readFileSync(file, 'utf8');
  let i = 0;
  for (const m of text.matchAll(fence)) {
    if (m[2].includes('no-check')) continue;
    const line = text.slice(0, m.index).split('\n').length + 1;
    const rel = relative(root, file);
    const name = `${rel.replace(/[^A-Za-z0-9]+/g, '_')}_${++i}.ts`;
    // `export {}` keeps every block a module, so top-level await and local names stay per block.
    writeFileSync(join(out, name), `// from ${rel}:${line}\n${m[3]}\nexport {};\n`);
    origins.push(`${name} <- ${rel}:${line}`);
    count++;
  }
}
writeFileSync(
  join(out, 'tsconfig.json'),
  JSON.stringify(
    {
      extends: '../../tsconfig.base.json',
      compilerOptions: { noEmit: true, declaration: false, noUnusedLocals: false, types: ['node'] },
      include: ['./*.ts'],
    },
    null,
    2,
  ),
);
if (count === 0) {
  process.stdout.write('readme examples: none found\n');
  process.exit(0);
}
try {
  execFileSync(join(root, 'node_modules/.bin/tsc'), ['-p', join(out, 'tsconfig.json')], { stdio: 'inherit' });
} catch {
  process.stderr.write(`readme examples: type errors (block origins below)\n${origins.join('\n')}\n`);
  process.exit(1);
}
rmSync(out, { recursive: true, force: true });
process.stdout.write(`readme examples: ${count} blocks type-checked\n`);
