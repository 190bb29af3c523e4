import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import * as z from 'zod/mini';
import { RefPdsError } from './errors.js';
import { httpRequest, parseJsonOrUndefined } from './http-request.js';
import { peerPaths, refPdsMissing } from './peer-paths.js';

/** An account to create: every field optional (a random `.test` handle and password otherwise). */
export interface RefPdsAccountInput {
  /** Must end in `.test` (the PDS's only service handle domain). */
  readonly handle?: string;
  readonly password?: string;
  readonly email?: string;
}

/** An account on the reference PDS. */
export interface RefPdsAccount {
  readonly did: string;
  readonly handle: string;
  readonly password: string;
  readonly email: string;
}

export interface StartRefPdsOptions {
  /** Accounts created before `startRefPds` resolves: `'alice.test'`, `'alice.test:password'` or an object. */
  readonly accounts?: ReadonlyArray<string | RefPdsAccountInput>;
  /** How long to wait for the ready line. Default 90 s (a loaded 2-core CI machine needs ~15 s). */
  readonly timeoutMs?: number;
  /** The peer sub-package directory. Default `<this package>/peer`. */
  readonly peerDir?: string;
}

/** Timings of one start, in milliseconds. */
export interface RefPdsStartTimings {
  /** From `spawn` to the ready line. */
  readonly spawnToReadyMs: number;
  /** Inside the peer: importing `@atproto/pds` and friends. */
  readonly importMs: number;
  /** Inside the peer: the PDS listening. */
  readonly pdsMs: number;
  /** From `startRefPds` call to resolved, seed accounts included. */
  readonly totalMs: number;
}

/** A running reference PDS (and did:plc directory); see `startRefPds`. */
export interface RefPds {
  /** `http://localhost:<port>`: the PDS, its protected-resource metadata and its OAuth issuer. */
  readonly pdsUrl: string;
  /** `http://localhost:<port>`: the did:plc directory the PDS registers accounts with. */
  readonly plcUrl: string;
  /** The authorization server's issuer (same origin as the PDS). */
  readonly issuer: string;
  /** The PDS port (for host mappings: `http://<handle>:<port>`). */
  readonly port: number;
  /** The seed accounts, in the order given. */
  readonly accounts: readonly RefPdsAccount[];
  /** The peer process id. */
  readonly pid: number;
  /** The peer's data directory (SQLite files, blobs); removed by `stop`. */
  readonly dataDir: string;
  /** The peer's Node version (22.x). */
  readonly nodeVersion: string;
  readonly timings: RefPdsStartTimings;
  /** Creates an account (`com.atproto.server.createAccount`). */
  createAccount(input?: RefPdsAccountInput): Promise<RefPdsAccount>;
  /** The peer's resident memory in MiB (Linux `/proc`). */
  rssMb(): Promise<number>;
  /** The last few KiB the peer wrote to stderr (for failure messages). */
  stderr(): string;
  /** Stops the peer (SIGTERM, SIGKILL after 10 s) and removes its data directory. Idempotent. */
  stop(): Promise<void>;
}

const readySchema = z.object({
  pid: z.number(),
  node: z.string(),
  pdsUrl: z.string(),
  plcUrl: z.string(),
  issuer: z.string(),
  timings: z.object({ importMs: z.number(), pdsMs: z.number() }),
});
const failedSchema = z.object({ message: z.string() });
const createAccountSchema = z.object({ did: z.string().check(z.startsWith('did:')), handle: z.string() });
const xrpcErrorSchema = z.object({ error: z.optional(z.string()), message: z.optional(z.string()) });

const STDERR_KEEP = 8 * 1024;

/** A port that was free on 127.0.0.1 a moment ago (the peer binds it right after). */
async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

function parseAccountSpec(spec: string | RefPdsAccountInput): RefPdsAccountInput {
  if (typeof spec !== 'string') return spec;
  const colon = spec.indexOf(':');
  return colon === -1 ? { handle: spec } : { handle: spec.slice(0, colon), password: spec.slice(colon + 1) };
}

/** `com.atproto.server.createAccount` on a running reference PDS. */
export async function createRefPdsAccount(pdsUrl: string, input: RefPdsAccountInput = {}): Promise<RefPdsAccount> {
  const handle = (input.handle ?? `u${randomBytes(5).toString('hex')}.test`).toLowerCase();
  if (!handle.endsWith('.test')) {
    throw new RefPdsError('INVALID_OPTIONS', `Handle "${handle}" must end in .test, the PDS's service handle domain.`);
  }
  const password = input.password ?? randomBytes(12).toString('base64url');
  const email = input.email ?? `${handle.replace(/\.test$/, '').replace(/\./g, '-')}@example.com`;
  const res = await httpRequest(new URL('/xrpc/com.atproto.server.createAccount', pdsUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ handle, password, email }),
    maxBytes: 64 * 1024,
  });
  const body = parseJsonOrUndefined(res.text);
  if (res.status !== 200) {
    const err = xrpcErrorSchema.safeParse(body);
    const reason = err.success ? `${err.data.error ?? ''} ${err.data.message ?? ''}`.trim() : res.text.slice(0, 200);
    throw new RefPdsError('ACCOUNT_FAILED', `createAccount ${handle} answered HTTP ${res.status}: ${reason}`, {
      details: { status: res.status, body: err.success ? err.data : undefined },
    });
  }
  const parsed = createAccountSchema.safeParse(body);
  if (!parsed.success) {
    throw new RefPdsError('PROVIDER_CHANGED', `createAccount ${handle} answered 200 without { did, handle }.`);
  }
  return { did: parsed.data.did, handle: parsed.data.handle, password, email };
}

/** Waits for the peer's `REFPDS_READY` line (or its failure, exit or the timeout). */
function waitForReady(child: ChildProcess, timeoutMs: number, stderr: () => string) {
  return new Promise<z.infer<typeof readySchema>>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    const finish = (err: RefPdsError | undefined, info?: z.infer<typeof readySchema>) => {
      clearTimeout(timer);
      child.off('exit', onExit);
      lines.close();
      if (err) reject(err);
      else resolve(info as z.infer<typeof readySchema>);
    };
    const timer = setTimeout(
      () =>
        finish(
          new RefPdsError('START_TIMEOUT', `The reference PDS was not ready after ${timeoutMs} ms.`, {
            details: { stderr: stderr() },
          }),
        ),
      timeoutMs,
    );
    const onExit = (code: number | null, signal: string | null) =>
      finish(
        new RefPdsError(
          'START_FAILED',
          `The reference PDS exited before it was ready (code ${code}, signal ${signal}).`,
          {
            details: { stderr: stderr() },
          },
        ),
      );
    child.on('exit', onExit);
    lines.on('line', (line) => {
      const space = line.indexOf(' ');
      const tag = space === -1 ? line : line.slice(0, space);
      const payload = parseJsonOrUndefined(line.slice(space + 1));
      if (tag === 'REFPDS_READY') {
        const info = readySchema.safeParse(payload);
        if (info.success) finish(undefined, info.data);
        else finish(new RefPdsError('START_FAILED', 'The reference PDS printed a malformed ready line.'));
      } else if (tag === 'REFPDS_FAILED') {
        const failed = failedSchema.safeParse(payload);
        finish(
          new RefPdsError(
            'START_FAILED',
            `The reference PDS failed to start: ${failed.success ? failed.data.message : line}`,
            {
              details: { stderr: stderr() },
            },
          ),
        );
      }
    });
  });
}

/**
 * Starts the real reference PDS (`@atproto/pds` with its OAuth authorization server) and an
 * in-memory did:plc directory in a Node 22 child process, bound to 127.0.0.1 only, in dev mode
 * (http `localhost` issuer, loopback clients, `.test` handles). Free ports are picked up front
 * because the issuer URL contains the port. The child exits when this process dies (its stdin
 * closes) and `stop()` removes its data directory.
 */
export async function startRefPds(options: StartRefPdsOptions = {}): Promise<RefPds> {
  const begun = performance.now();
  const missing = refPdsMissing(options.peerDir);
  if (missing) throw new RefPdsError('NOT_INSTALLED', `Cannot start the reference PDS: ${missing}.`);
  const timeoutMs = options.timeoutMs ?? 90_000;
  if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) {
    throw new RefPdsError('INVALID_OPTIONS', 'timeoutMs must be a positive number of milliseconds.');
  }
  const seeds = (options.accounts ?? []).map(parseAccountSpec);
  const paths = peerPaths(options.peerDir);

  const pdsPort = await freePort();
  let plcPort = await freePort();
  while (plcPort === pdsPort) plcPort = await freePort();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'relay-refpds-'));

  let tail = '';
  const stderr = () => tail;
  const spawnedAt = performance.now();
  // A clean environment: nothing of the test runner's (NODE_OPTIONS loaders, inspector) leaks
  // into the Node 22 process, and the PDS's own logging stays off.
  const child = spawn(paths.node, [paths.script], {
    cwd: paths.dir,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: os.homedir(),
      TMPDIR: os.tmpdir(),
      LOG_ENABLED: 'false',
      REFPDS_CONFIG: JSON.stringify({ pdsPort, plcPort, dataDir }),
    },
    // stdin stays open: when this process dies the pipe closes and the peer stops itself.
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    tail = (tail + chunk).slice(-STDERR_KEEP);
  });
  const exited = once(child, 'exit');

  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(force);
      }
      child.stdin?.destroy();
      await rm(dataDir, { recursive: true, force: true });
    })();
    return stopped;
  };

  let info: z.infer<typeof readySchema>;
  let readyAt: number;
  const accounts: RefPdsAccount[] = [];
  try {
    info = await waitForReady(child, timeoutMs, stderr);
    readyAt = performance.now();
    for (const seed of seeds) accounts.push(await createRefPdsAccount(info.pdsUrl, seed));
  } catch (err) {
    await stop();
    throw err;
  }
  const ready = info;

  return {
    pdsUrl: ready.pdsUrl,
    plcUrl: ready.plcUrl,
    issuer: ready.issuer,
    port: pdsPort,
    accounts,
    pid: ready.pid,
    dataDir,
    nodeVersion: ready.node,
    timings: {
      spawnToReadyMs: Math.round(readyAt - spawnedAt),
      importMs: ready.timings.importMs,
      pdsMs: ready.timings.pdsMs,
      totalMs: Math.round(performance.now() - begun),
    },
    createAccount: (input) => createRefPdsAccount(ready.pdsUrl, input),
    async rssMb() {
      const status = await readFile(`/proc/${ready.pid}/status`, 'utf8');
      return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN) / 1024);
    },
    stderr,
    stop,
  };
}
