import { defineConfig } from 'tsup';

// Two builds of one API: index (WebCrypto, runtime-neutral: browsers, Deno, Bun, Workers) and
// index.node (the node:crypto KeyObject signer), chosen by the "node" export condition.
export default defineConfig([
  {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: false, // both configs write dist/ at once; the build script empties it first
    target: 'es2022',
    platform: 'neutral',
    splitting: false,
    treeshake: true,
    external: ['zod'],
  },
  {
    entry: ['src/index.node.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: false,
    target: 'node20',
    platform: 'node',
    removeNodeProtocol: false, // keep node:crypto explicit (Deno and Bun resolve it too)
    splitting: false,
    treeshake: true,
    external: ['zod'],
  },
]);
