import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

export const REDIS_SERVER = '/usr/bin/redis-server';

/** A free loopback TCP port (bound, read, released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitForPing(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      if ((await probe.ping()) === 'PONG') return;
    } catch {
      if (Date.now() > deadline) throw new Error(`redis-server on ${port} did not come up`);
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      probe.disconnect();
    }
  }
}

/**
 * A redis-server of the test's own on a loopback port, which the test may kill and start again.
 * RDB snapshots are off (`--save ''`); the append-only file (fsync on every write) in a temp dir
 * is what brings acknowledged writes back after a crash, as in a deployment with persistence.
 */
export class OwnRedisServer {
  readonly dir = mkdtempSync(join(tmpdir(), 'relay-redis-'));
  #process: ChildProcess | undefined;

  private constructor(readonly port: number) {}

  static async start(extraArgs: string[] = []): Promise<OwnRedisServer> {
    const server = new OwnRedisServer(await freePort());
    await server.start(extraArgs);
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(extraArgs: string[] = []): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--dir', this.dir];
    args.push('--appendonly', 'yes', '--appendfsync', 'always', ...extraArgs);
    this.#process = spawn(REDIS_SERVER, args, { stdio: 'ignore' });
    await waitForPing(this.port);
  }

  /** SIGSTOP / SIGCONT: the server keeps its connections open but answers nothing while paused. */
  pause(): void {
    this.#process?.kill('SIGSTOP');
  }

  resume(): void {
    this.#process?.kill('SIGCONT');
  }

  /** SIGKILL: a crash, not a clean shutdown. */
  async kill(): Promise<void> {
    const p = this.#process;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((resolve) => p.once('exit', resolve));
    p.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
