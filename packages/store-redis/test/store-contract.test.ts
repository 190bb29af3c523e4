import { defineStoreContractTests } from '@relay/oauth-core/testing';
import { afterAll, describe, it } from 'vitest';
import { redisFixture } from './support/redis.js';

// The contract kit of @relay/oauth-core against the real Redis on 127.0.0.1:6379; every factory
// call gets a fresh key prefix, and the two locks of a pair use two connections, as two
// processes would.
const fx = redisFixture('contract');
afterAll(() => fx.cleanup());

defineStoreContractTests(
  'redis',
  {
    stateStore: async () => (await fx.stores()).state,
    sessionStore: async () => (await fx.stores()).session,
    lockPair: async () => {
      const a = await fx.stores();
      const b = await fx.stores({ prefix: a.prefix });
      return [a.createLock(), b.createLock()];
    },
    fencedPair: async () => {
      const a = await fx.stores();
      const b = await fx.stores({ prefix: a.prefix });
      return [a.createLock(), b.session];
    },
  },
  { describe, it },
);

// The same kit with encryption at rest on: sealing must not change any observable behaviour.
const key = new Uint8Array(32).fill(7);
defineStoreContractTests(
  'redis (encrypted)',
  {
    stateStore: async () => (await fx.stores({ encryption: { current: { id: 'k1', key } } })).state,
    sessionStore: async () => (await fx.stores({ encryption: { current: { id: 'k1', key } } })).session,
  },
  { describe, it },
);
