import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', drivers: 'src/drivers/index.ts', cli: 'src/cli.ts' },
  format: ['esm', 'cjs'],
  dts: { entry: { index: 'src/index.ts', drivers: 'src/drivers/index.ts' } },
  sourcemap: true,
  clean: true,
  target: 'node20',
  platform: 'node',
  splitting: false,
  treeshake: true,
  // The mock network is private tooling: it ships inside this package instead of as a dependency.
  noExternal: ['@relay/testnet'],
  external: ['@atproto/oauth-client', '@atproto/jwk-jose', '@atproto-labs/handle-resolver', '@relay/refpds'],
});
