import { defineProject } from 'vitest/config';

// Each runtime is a child process (Bun, Deno) or a workerd instance, and the browser test starts
// Chromium: generous timeouts for a loaded 2-core CI machine. The engines are installed once by
// the global setup (ci-setup.sh, idempotent) before any test starts.
export default defineProject({
  test: {
    name: 'runtimes',
    include: ['test/**/*.test.ts'],
    environment: 'node',
    globalSetup: ['./test/support/global-setup.ts'],
    testTimeout: 90_000,
    hookTimeout: 600_000,
  },
});
