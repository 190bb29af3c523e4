import { defineStoreContractTests } from '@relay/oauth-core/testing';
import { afterAll, describe, it } from 'vitest';
import { sqliteFixture } from './support/sqlite.js';

// The contract kit of @relay/oauth-core against real database files. Every factory call gets a
// new file; the two locks of a pair are two connections to one file, as two processes would be.
const fx = sqliteFixture();
afterAll(() => fx.cleanup());

defineStoreContractTests(
  'sqlite',
  {
    stateStore: async () => (await fx.open(fx.file())).state,
    sessionStore: async () => (await fx.open(fx.file())).session,
    lockPair: async () => {
      const file = fx.file();
      const [a, b] = [await fx.open(file), await fx.open(file)];
      return [a.createLock(), b.createLock()];
    },
    fencedPair: async () => {
      const file = fx.file();
      const [a, b] = [await fx.open(file), await fx.open(file)];
      return [a.createLock(), b.session];
    },
  },
  { describe, it },
);

// The same kit with encryption at rest on: sealing must not change any observable behaviour.
const encryption = { current: { id: 'k1', key: new Uint8Array(32).fill(7) } };
defineStoreContractTests(
  'sqlite (encrypted)',
  {
    stateStore: async () => (await fx.open(fx.file(), { encryption })).state,
    sessionStore: async () => (await fx.open(fx.file(), { encryption })).session,
  },
  { describe, it },
);
