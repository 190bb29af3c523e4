import { defineProject } from 'vitest/config';

// The e2e drives Debian's Chromium against the real reference PDS (a Node 22 child process):
// generous timeouts for a loaded 2-core CI machine.
export default defineProject({
  test: {
    name: 'demo',
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
