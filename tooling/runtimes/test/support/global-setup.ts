import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { missingEngines, PACKAGE_DIR } from '../../src/engines.js';

/** Installs the engines once per test run when they are missing (a fresh clone), like CI's setup step. */
export default function setup(): void {
  if (missingEngines().length === 0 && process.env.RUNTIMES_FORCE_SETUP !== '1') return;
  execFileSync('bash', [join(PACKAGE_DIR, 'ci-setup.sh')], { stdio: ['ignore', 'inherit', 'inherit'] });
}
