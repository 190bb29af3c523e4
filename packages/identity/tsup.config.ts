import { defineConfig } from 'tsup';

// Two entries share one chunk so `IdentityError` (and every other class) has a single identity
// whether it is imported from `@relay/identity` or `@relay/identity/node`.
export default defineConfig({
  entry: { index: 'src/index.ts', node: 'src/node/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  platform: 'neutral',
  external: [/^node:/],
  removeNodeProtocol: false,
  splitting: true,
  treeshake: true,
});
