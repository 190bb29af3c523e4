import { defineProject } from 'vitest/config';

export default defineProject({ test: { name: 'oauth-core', include: ['test/**/*.test.ts'], environment: 'node' } });
