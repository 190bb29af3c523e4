import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { PACKAGE_DIR } from './engines.js';

const HTML =
  '<!doctype html><meta charset="utf-8"><title>Relay browser lane</title><script type="module" src="/page.js"></script>';

/**
 * Serves the test page on 127.0.0.1 (a secure context, so IndexedDB and navigator.locks work):
 * `/page.js` is the esbuild bundle, `/config.json` the testnet endpoints, every other path the page.
 */
export async function startPageServer(config: unknown): Promise<{ origin: string; close(): Promise<void> }> {
  const script = await readFile(join(PACKAGE_DIR, 'dist', 'page.js'));
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (path === '/page.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    else if (path === '/config.json')
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(config));
    else if (path === '/favicon.ico') res.writeHead(404).end();
    else res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(HTML);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
