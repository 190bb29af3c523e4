import { defineConfig } from 'tsup';

// An app, not a library: one ESM build of the programmatic entry and the CLI (the JSON lexicon is bundled).
export default defineConfig({
  entry: ['src/index.ts', 'src/main.ts'],
  format: ['esm'],
  dts: { entry: 'src/index.ts' },
  sourcemap: true,
  clean: true,
  target: 'node20',
  platform: 'node',
  splitting: false,
  treeshake: true,
});
