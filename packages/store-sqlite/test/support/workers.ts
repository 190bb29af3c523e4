import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('./refresh-worker.mjs', import.meta.url));

export interface Worker {
  child: ChildProcess;
  /** Resolves with the next message of this type (rejects if the process exits first). */
  next<T = Record<string, unknown>>(type: string): Promise<T>;
  send(message: unknown): void;
  exited: Promise<number | null>;
}

/** Forks the worker script in its own Node process with `config` in RELAY_WORKER. */
export function startWorker(config: Record<string, unknown>): Worker {
  const child = fork(script, [], {
    env: { ...process.env, RELAY_WORKER: JSON.stringify(config) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    exited,
    send: (message) => child.send(message as never),
    next: <T>(type: string) =>
      new Promise<T>((resolve, reject) => {
        const onMessage = (m: { type?: string }) => {
          if (m?.type !== type) return;
          child.off('message', onMessage);
          resolve(m as T);
        };
        child.on('message', onMessage);
        exited.then((code) => reject(new Error(`worker exited (${code}) before sending "${type}"`)));
      }),
  };
}
