import { defineProject } from 'vitest/config';

// One real reference PDS (a Node 22 child process, ~5 s and ~220 MB) shared by the test files via
// globalSetup; the lifecycle tests start their own. Generous timeouts for a loaded 2-core machine.
export default defineProject({
  test: {
    name: 'refpds',
    include: ['test/**/*.test.ts'],
    environment: 'node',
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
