import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { RefPdsError } from './errors.js';

export interface CallbackServerOptions {
  /** The redirect URI's path. Default `/callback`. */
  readonly path?: string;
}

/** A loopback redirect target, as a native app's sign-in would run one. */
export interface CallbackServer {
  /** `http://127.0.0.1:<port><path>`: a loopback redirect URI (LOOPBACK-03: an IP literal, not `localhost`). */
  readonly redirectUri: string;
  readonly port: number;
  /** The query of the next redirect that arrives (or one that already arrived unclaimed). */
  next(timeoutMs?: number): Promise<URLSearchParams>;
  close(): Promise<void>;
}

/**
 * Listens on 127.0.0.1 on a free port and answers every request to `path` with a small page,
 * handing its query to `next()`. Used by the Chromium sign-in, where a real browser follows the
 * provider's redirect and something must answer it.
 */
export async function startCallbackServer(options: CallbackServerOptions = {}): Promise<CallbackServer> {
  const path = options.path ?? '/callback';
  if (!path.startsWith('/')) throw new RefPdsError('INVALID_OPTIONS', `path must start with "/", got "${path}".`);
  const arrived: URLSearchParams[] = [];
  const waiting: Array<(params: URLSearchParams) => void> = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== path) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res
      .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      .end('<!doctype html><title>Signed in</title>Done.');
    const resolve = waiting.shift();
    if (resolve) resolve(url.searchParams);
    else arrived.push(url.searchParams);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    redirectUri: `http://127.0.0.1:${port}${path}`,
    port,
    next(timeoutMs = 60_000) {
      const ready = arrived.shift();
      if (ready) return Promise.resolve(ready);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.splice(waiting.indexOf(done), 1);
          reject(new RefPdsError('CALLBACK_TIMEOUT', `No redirect reached ${path} within ${timeoutMs} ms.`));
        }, timeoutMs);
        const done = (params: URLSearchParams) => {
          clearTimeout(timer);
          resolve(params);
        };
        waiting.push(done);
      });
    },
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close').catch(() => undefined);
    },
  };
}
