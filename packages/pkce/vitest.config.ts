import { defineProject } from 'vitest/config';

export default defineProject({ test: { name: 'pkce', include: ['test/**/*.test.ts'], environment: 'node' } });
