import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package directory (this file runs from src/ under vitest and from dist/ when built). */
export const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
/** The npm sub-package holding Bun, Deno and Miniflare (workerd), installed by ci-setup.sh. */
export const ENGINES_DIR = join(PACKAGE_DIR, 'engines');

const modules = join(ENGINES_DIR, 'node_modules');

/** Where each engine's binary (or module) lives once `ci-setup.sh` has run. */
export const ENGINE_PATHS = {
  bun: join(modules, 'bun', 'bin', 'bun.exe'),
  deno: join(modules, '@deno', 'linux-x64-glibc', 'deno'),
  miniflare: join(modules, 'miniflare', 'package.json'),
  workerd: join(modules, '@cloudflare', 'workerd-linux-64', 'bin', 'workerd'),
} as const;

/** The engines that are not installed yet (empty when the lane can run). */
export function missingEngines(): string[] {
  return Object.entries(ENGINE_PATHS)
    .filter(([, path]) => !existsSync(path))
    .map(([name]) => name);
}
