import { defineConfig } from 'tsup';

export default defineConfig([
  {
    // Node, Bun and Deno load the packages themselves, through their own module resolution (the
    // point of the lane: each picks its own build of @relay/dpop and friends).
    entry: { cli: 'lane/cli.ts', lane: 'lane/main.ts' },
    format: ['esm'],
    target: 'es2022',
    platform: 'neutral',
    external: [/^@relay\//, /^node:/, 'playwright-core', 'miniflare'],
    splitting: false,
    clean: false, // the configs write dist/ at once; the build script empties it first
  },
  {
    // The same script bundled for the web (as a bundler targeting browsers or Workers makes it):
    // the WebCrypto build of @relay/dpop, run on Node, Bun and Deno to prove that build there too.
    entry: { 'cli-web': 'lane/cli.ts' },
    format: ['esm'],
    target: 'es2022',
    platform: 'neutral',
    noExternal: [/.*/],
    esbuildOptions(options) {
      options.conditions = ['worker', 'browser'];
      options.mainFields = ['module', 'main'];
    },
    splitting: false,
    clean: false,
  },
  {
    // Workers are always bundled (as wrangler does): the worker conditions pick the web builds.
    entry: { worker: 'lane/worker.ts' },
    format: ['esm'],
    target: 'es2022',
    platform: 'browser',
    noExternal: [/.*/],
    esbuildOptions(options) {
      options.conditions = ['workerd', 'worker', 'browser'];
    },
    splitting: false,
    clean: false,
  },
  {
    // The Chromium test page.
    entry: { page: 'lane/page.ts' },
    format: ['esm'],
    target: 'es2022',
    platform: 'browser',
    noExternal: [/.*/],
    splitting: false,
    clean: false,
  },
]);
