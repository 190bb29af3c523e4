import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as the mock servers see it: parsed URL, headers, raw body. */
export interface MockRequest {
  method: string;
  url: URL;
  headers: IncomingMessage['headers'];
  body: Buffer;
  /** The raw `Host` header (handle hosts answer per host name). */
  host: string;
}

export interface MockResponse {
  status: number;
  headers?: Record<string, string | string[]>;
  body?: string | Uint8Array;
  /** Write the body in chunks this far apart (slow-body faults). */
  trickleMs?: number;
}

export type Handler = (req: MockRequest) => Promise<MockResponse> | MockResponse;

export interface StartedServer {
  origin: string;
  port: number;
  close(): Promise<void>;
  /** How many TCP connections this server accepted. */
  connections(): number;
}

const MAX_BODY = 64 * 1024 * 1024;

/** Starts a node:http server on 127.0.0.1 (random port) around one handler. */
export async function startHttpServer(handler: Handler): Promise<StartedServer> {
  let connections = 0;
  const server: Server = createServer(async (req, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY) {
        res.writeHead(413).end();
        return;
      }
      chunks.push(chunk as Buffer);
    }
    const host = req.headers.host ?? '127.0.0.1';
    let out: MockResponse;
    try {
      out = await handler({
        method: req.method ?? 'GET',
        url: new URL(req.url ?? '/', `http://${host}`),
        headers: req.headers,
        body: Buffer.concat(chunks),
        host,
      });
    } catch (err) {
      out = json(500, { error: 'server_error', message: (err as Error).message });
    }
    res.writeHead(out.status, out.headers);
    const body = out.body === undefined ? undefined : Buffer.from(out.body);
    if (!body || !out.trickleMs) {
      res.end(body);
      return;
    }
    // Slow-loris style body: one small chunk at a time.
    for (let i = 0; i < body.length && !res.destroyed; i += 16) {
      res.write(body.subarray(i, i + 16));
      await new Promise((r) => setTimeout(r, out.trickleMs));
    }
    res.end();
  });
  server.on('connection', () => {
    connections++;
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Which paths of a server answer cross-origin requests from browser apps. */
export interface CorsOptions {
  /** Paths that never get CORS headers (AS-META-15: the authorization endpoint). */
  except?: readonly string[];
}

/**
 * Wraps a handler with CORS for browser clients: a preflight (`OPTIONS` with
 * `Access-Control-Request-Method`) is answered here and never reaches the handler (so it is not
 * logged), and every other response gets `Access-Control-Allow-Origin: *` (no credentials are
 * involved: DPoP and tokens travel in headers). Paths in `except` get neither.
 */
export function withCors(handler: Handler, options: CorsOptions = {}): Handler {
  const except = new Set(options.except ?? []);
  return async (req) => {
    if (except.has(req.url.pathname)) return handler(req);
    const requested = req.headers['access-control-request-method'];
    if (req.method === 'OPTIONS' && requested !== undefined) {
      const asked = req.headers['access-control-request-headers'];
      return {
        status: 204,
        headers: {
          'access-control-allow-origin': '*',
          'access-control-allow-methods': 'GET, HEAD, POST, PUT, DELETE, OPTIONS',
          // Echo what the browser asks for (DPoP, Authorization, Content-Type, …).
          ...(asked ? { 'access-control-allow-headers': String(asked) } : {}),
          'access-control-max-age': '600',
        },
      };
    }
    const res = await handler(req);
    return { ...res, headers: { ...res.headers, 'access-control-allow-origin': '*' } };
  };
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): MockResponse {
  return {
    status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers },
    body: JSON.stringify(body),
  };
}

export function oauthError(status: number, error: string, description: string, headers: Record<string, string> = {}) {
  return json(status, { error, error_description: description }, headers);
}

export function html(status: number, body: string): MockResponse {
  return { status, headers: { 'content-type': 'text/html; charset=utf-8' }, body };
}

/** One header value, first of a repeated header. */
export function header(req: MockRequest, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/** How many times a header was sent (DPOP-08: exactly one DPoP header). */
export function headerCount(req: MockRequest, name: string): number {
  const v = req.headers[name.toLowerCase()];
  if (v === undefined) return 0;
  return Array.isArray(v) ? v.length : String(v).split(',').length > 1 && name.toLowerCase() === 'dpop' ? 2 : 1;
}

export function form(req: MockRequest): URLSearchParams {
  return new URLSearchParams(req.body.toString('utf8'));
}
