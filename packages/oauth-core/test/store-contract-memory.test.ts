import { describe, it } from 'vitest';
import { MemoryLock, MemorySessionStore, MemoryStateStore } from '../src/index.js';
import { defineStoreContractTests } from '../src/testing/index.js';

// The in-memory stores pass the same contract kit every durable store package runs.
defineStoreContractTests(
  'memory',
  {
    stateStore: () => new MemoryStateStore(),
    sessionStore: () => new MemorySessionStore(),
    lockPair: () => {
      const lock = new MemoryLock();
      return [lock, lock];
    },
  },
  { describe, it },
);
