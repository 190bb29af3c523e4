import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A node:http server on loopback that counts TCP connections (the connect-layer assertion). */
export interface LoopbackHttp {
  readonly port: number;
  readonly origin: string;
  readonly requests: { method: string; url: string; headers: http.IncomingHttpHeaders }[];
  connections: number;
  delayMs: number;
  close(): Promise<void>;
}

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export async function startHttp(handler: Handler, host = '127.0.0.1'): Promise<LoopbackHttp> {
  const sockets = new Set<Socket>();
  const state = { port: 0, origin: '', requests: [], connections: 0, delayMs: 0 } as unknown as LoopbackHttp;
  const server = http.createServer((req, res) => {
    state.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    if (state.delayMs > 0) setTimeout(() => handler(req, res), state.delayMs);
    else handler(req, res);
  });
  server.on('connection', (socket: Socket) => {
    state.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  Object.assign(state, { port, origin: `http://${host.includes(':') ? `[${host}]` : host}:${port}` });
  state.close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return state;
}

/** Serves fixed bodies by path; anything else is 404. */
export function routes(table: Record<string, { status?: number; type?: string; body: string }>): Handler {
  return (req, res) => {
    const hit = table[new URL(req.url ?? '/', 'http://x').pathname];
    if (!hit) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(hit.status ?? 200, { 'content-type': hit.type ?? 'text/plain' }).end(hit.body);
  };
}
