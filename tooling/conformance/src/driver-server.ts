import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { z } from 'zod';
import {
  type AuthorizeRequest,
  authorizeRequestSchema,
  type CallbackRequest,
  type ConfigureRequest,
  callbackRequestSchema,
  configureRequestSchema,
  type DidRequest,
  didRequestSchema,
  type ProxiedResponse,
  type RequestRequest,
  requestRequestSchema,
  type SessionInfo,
  UNSUPPORTED,
} from './driver-protocol.js';

/**
 * What a driver wraps: one client implementation. Throw to refuse (the message and an optional
 * `code` property become the `{error}` answer); leave a method out when the client lacks it.
 */
export interface DriverAdapter {
  name: string;
  version?: string;
  configure(request: ConfigureRequest): Promise<void>;
  authorize(request: AuthorizeRequest): Promise<{ url: string }>;
  callback(request: CallbackRequest): Promise<SessionInfo>;
  request?(request: RequestRequest): Promise<ProxiedResponse>;
  refresh?(request: DidRequest): Promise<SessionInfo>;
  revoke?(request: DidRequest): Promise<void>;
  session?(request: DidRequest): Promise<SessionInfo>;
  close?(): Promise<void>;
}

export interface RunningDriver {
  /** `http://127.0.0.1:<port>`: pass this to the client profile. */
  url: string;
  close(): Promise<void>;
}

const MAX_BODY = 1024 * 1024;

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw Object.assign(new Error('request body over 1 MiB'), { code: 'BAD_REQUEST' });
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? {} : JSON.parse(text);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function errorBody(err: unknown): { error: { code: string; message: string } } {
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e?.code === 'string' && e.code !== '' ? e.code : 'CLIENT_ERROR';
  return { error: { code, message: String(e?.message ?? err).slice(0, 4000) } };
}

/**
 * Serves the driver protocol (see DRIVER-PROTOCOL.md) around an adapter on 127.0.0.1. Refusals
 * are answered as HTTP 200 `{error:{code,message}}`; malformed protocol requests get HTTP 400.
 */
export async function serveDriver(adapter: DriverAdapter, options: { port?: number } = {}): Promise<RunningDriver> {
  type Route = [z.ZodType, (body: never) => Promise<unknown>];
  const routes: Record<string, Route | undefined> = {
    '/configure': [
      configureRequestSchema,
      async (b: ConfigureRequest) => {
        await adapter.configure(b);
        return { ok: true };
      },
    ],
    '/authorize': [authorizeRequestSchema, (b: AuthorizeRequest) => adapter.authorize(b)],
    '/callback': [callbackRequestSchema, (b: CallbackRequest) => adapter.callback(b)],
    '/request': [requestRequestSchema, (b: RequestRequest) => optional(adapter.request, b)],
    '/refresh': [didRequestSchema, (b: DidRequest) => optional(adapter.refresh, b)],
    '/revoke': [
      didRequestSchema,
      async (b: DidRequest) => {
        await optional(adapter.revoke, b);
        return { ok: true };
      },
    ],
    '/session': [didRequestSchema, (b: DidRequest) => optional(adapter.session, b)],
  };
  function optional<I, O>(fn: ((input: I) => Promise<O>) | undefined, input: I): Promise<O> {
    if (!fn) return Promise.reject(Object.assign(new Error('not offered by this client'), { code: UNSUPPORTED }));
    return fn.call(adapter, input);
  }
  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://driver').pathname;
    if (req.method === 'GET' && path === '/info') {
      send(res, 200, { name: adapter.name, ...(adapter.version ? { version: adapter.version } : {}) });
      return;
    }
    const route = routes[path];
    if (req.method !== 'POST' || !route) {
      send(res, 404, { error: { code: 'NOT_FOUND', message: `no operation ${req.method} ${path}` } });
      return;
    }
    let body: unknown;
    try {
      body = route[0].parse(await readJson(req));
    } catch (err) {
      send(res, 400, { error: { code: 'BAD_REQUEST', message: (err as Error).message.slice(0, 2000) } });
      return;
    }
    try {
      send(res, 200, await route[1](body as never));
    } catch (err) {
      send(res, 200, errorBody(err));
    }
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      await adapter.close?.();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
