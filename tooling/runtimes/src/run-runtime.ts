import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ENGINE_PATHS, ENGINES_DIR, PACKAGE_DIR } from './engines.js';
import type { SmokeConfig, SmokeReport } from './smoke-flow.js';

export type RuntimeName = 'node' | 'bun' | 'deno' | 'workerd';

/**
 * One lane: a runtime and how it gets the code. `packages`: the runtime resolves the published
 * entry points itself (its export conditions pick the builds); `web-bundle`: one esbuild bundle made
 * with the browser/worker conditions (the WebCrypto builds), as a web bundler or wrangler makes it.
 */
export interface Lane {
  name: string;
  runtime: RuntimeName;
  code: 'packages' | 'web-bundle';
}

export const LANES: readonly Lane[] = [
  { name: 'node', runtime: 'node', code: 'packages' },
  { name: 'bun', runtime: 'bun', code: 'packages' },
  { name: 'deno', runtime: 'deno', code: 'packages' },
  { name: 'workerd', runtime: 'workerd', code: 'web-bundle' },
  { name: 'node-web', runtime: 'node', code: 'web-bundle' },
  { name: 'bun-web', runtime: 'bun', code: 'web-bundle' },
  { name: 'deno-web', runtime: 'deno', code: 'web-bundle' },
];

/** The outcome of one lane's run: the runtime's own report, or why there is none. */
export interface RuntimeRun {
  lane: string;
  report?: SmokeReport;
  ms: number;
  /** Set when the runtime did not produce a report (crash, timeout, unparsable output). */
  failure?: string;
  stderr: string;
}

const CLI = join(PACKAGE_DIR, 'dist', 'cli.js');
const CLI_WEB = join(PACKAGE_DIR, 'dist', 'cli-web.js');
const WORKER = join(PACKAGE_DIR, 'dist', 'worker.js');
/** No older than the workerd the lane installs (its version is its release date). */
const COMPATIBILITY_DATE = '2026-04-01';

function command(lane: Lane, config: SmokeConfig): [string, string[]] {
  const arg = JSON.stringify(config);
  const script = lane.code === 'packages' ? CLI : CLI_WEB;
  switch (lane.runtime) {
    case 'node':
      return [process.execPath, [script, arg]];
    case 'bun':
      return [ENGINE_PATHS.bun, ['run', script, arg]];
    case 'deno':
      // Network to loopback only; reads for node_modules; no lockfile, no prompts.
      return [
        ENGINE_PATHS.deno,
        ['run', '--allow-net=127.0.0.1', '--allow-read', '--allow-env', '--no-lock', '--no-prompt', script, arg],
      ];
    default:
      throw new Error(`${lane.runtime} does not run as a child process`);
  }
}

/** Runs the smoke script in a child process of the runtime (cwd: this package, for its node_modules). */
function runChild(lane: Lane, config: SmokeConfig, timeoutMs: number) {
  const [bin, args] = command(lane, config);
  const runtime = lane.name;
  return new Promise<RuntimeRun>((resolve) => {
    const started = Date.now();
    const child = spawn(bin, args, {
      cwd: PACKAGE_DIR,
      env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1', BUN_DISABLE_TELEMETRY: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const done = (failure?: string) => {
      clearTimeout(timer);
      const ms = Date.now() - started;
      const line = stdout.trim().split('\n').pop() ?? '';
      try {
        const report = JSON.parse(line) as SmokeReport;
        resolve({ lane: runtime, report, ms, stderr, ...(failure ? { failure } : {}) });
      } catch {
        resolve({ lane: runtime, ms, stderr, failure: failure ?? `no report on stdout: ${stdout.slice(0, 500)}` });
      }
    };
    child.on('error', (err) => done(`could not start ${bin}: ${err.message}`));
    child.on('close', (code, signal) => {
      if (signal) done(`killed by ${signal} after ${timeoutMs} ms`);
      else done(code === 0 ? undefined : `exited with code ${code}`);
    });
  });
}

interface MiniflareLike {
  dispatchFetch(url: string, init: { method: string; body: string }): Promise<{ text(): Promise<string> }>;
  dispose(): Promise<void>;
}

/** Runs the bundled worker in workerd through Miniflare (from the engines sub-package). */
async function runWorkerd(config: SmokeConfig, timeoutMs: number): Promise<RuntimeRun> {
  const started = Date.now();
  const require = createRequire(join(ENGINES_DIR, 'package.json'));
  const mod = (await import(pathToFileURL(require.resolve('miniflare')).href)) as {
    Miniflare: new (options: Record<string, unknown>) => MiniflareLike;
  };
  const mf = new mod.Miniflare({ modules: true, scriptPath: WORKER, compatibilityDate: COMPATIBILITY_DATE });
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const response = mf.dispatchFetch('http://smoke.invalid/', { method: 'POST', body: JSON.stringify(config) });
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer after ${timeoutMs} ms`)), timeoutMs);
    });
    const text = await (await Promise.race([response, timeout])).text();
    try {
      return { lane: 'workerd', report: JSON.parse(text) as SmokeReport, ms: Date.now() - started, stderr: '' };
    } catch {
      return { lane: 'workerd', ms: Date.now() - started, stderr: '', failure: `no report: ${text.slice(0, 500)}` };
    }
  } catch (err) {
    return { lane: 'workerd', ms: Date.now() - started, stderr: '', failure: (err as Error).message };
  } finally {
    clearTimeout(timer);
    await mf.dispose();
  }
}

/** Runs the lane's script on one lane against the testnet described by `config`. */
export function runLane(lane: Lane, config: SmokeConfig, timeoutMs = 60_000): Promise<RuntimeRun> {
  return lane.runtime === 'workerd' ? runWorkerd(config, timeoutMs) : runChild(lane, config, timeoutMs);
}
