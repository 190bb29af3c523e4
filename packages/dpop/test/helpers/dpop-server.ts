import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMemoryReplayCache, DpopError, verifyDpopProof } from '../../src/index.js';

export interface SeenRequest {
  method: string;
  path: string;
  /** how many DPoP header lines arrived (DPOP-08) */
  dpopCount: number;
  authorization: string | undefined;
  /** the proof's nonce claim, or undefined */
  nonce: string | undefined;
  jti: string | undefined;
  body: string;
  headers: Record<string, string | string[] | undefined>;
  status: number;
}

export interface DpopServerOptions {
  /** 'as': nonce errors as HTTP 400 JSON (NONCE-01); 'rs': HTTP 401 + WWW-Authenticate (NONCE-02) */
  form: 'as' | 'rs';
  /** the access token the RS expects (rs form) */
  accessToken?: string;
  /** issue and require nonces (default true) */
  nonces?: boolean;
  /** answer use_dpop_nonce to every request, with a fresh nonce each time (NONCE-05) */
  alwaysDemand?: boolean;
  /** artificial latency before answering, so bursts overlap at the server */
  delayMs?: number;
  /** rotate the nonce once, right after the k-th accepted request (NONCE-06) */
  rotateAfter?: number;
  /** the header name used to send the nonce (NONCE-03 case-insensitivity) */
  nonceHeaderName?: string;
}

/** A real loopback HTTP server that checks every DPoP proof with verifyDpopProof, like an AS or RS. */
export async function startDpopServer(options: DpopServerOptions) {
  const replayCache = createMemoryReplayCache();
  const requests: SeenRequest[] = [];
  let counter = 0;
  let accepted = 0;
  let queue: Promise<unknown> = Promise.resolve();
  const state = { nonce: `nonce-${++counter}` };
  const nonceHeader = options.nonceHeaderName ?? 'DPoP-Nonce';
  const useNonces = options.nonces ?? true;

  const nonceError = (res: ServerResponse, fresh: string) => {
    res.setHeader(nonceHeader, fresh);
    if (options.form === 'as') {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'use_dpop_nonce', error_description: 'Authorization server requires nonce' }));
    } else {
      res.writeHead(401, {
        'www-authenticate': 'DPoP error="use_dpop_nonce", error_description="Resource server requires nonce"',
      });
      res.end();
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, seen: SeenRequest, origin: string) => {
    const proof = req.headers.dpop;
    if (typeof proof !== 'string') {
      res.writeHead(400, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ error: 'invalid_dpop_proof', error_description: 'no DPoP header' }));
    }
    if (options.alwaysDemand) {
      state.nonce = `nonce-${++counter}`;
      return nonceError(res, state.nonce);
    }
    let token: string | undefined;
    if (options.form === 'rs') {
      const m = /^DPoP (.+)$/.exec(seen.authorization ?? '');
      if (!m || m[1] !== options.accessToken) {
        res.writeHead(401, { 'www-authenticate': 'DPoP error="invalid_token"' });
        return res.end();
      }
      token = m[1];
    }
    try {
      await verifyDpopProof(proof, {
        htm: req.method ?? 'GET',
        htu: `${origin}${req.url}`,
        nonce: useNonces ? state.nonce : undefined,
        accessToken: token,
        replayCache,
      });
    } catch (err) {
      const code = err instanceof DpopError ? err.code : 'UNKNOWN';
      if (code === 'DPOP_NONCE_MISSING' || code === 'DPOP_NONCE_STALE') return nonceError(res, state.nonce);
      res.writeHead(400, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ error: 'invalid_dpop_proof', error_description: code }));
    }
    if (useNonces) res.setHeader(nonceHeader, state.nonce);
    if (++accepted === options.rotateAfter) state.nonce = `nonce-${++counter}`;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ok: true, method: req.method, path: req.url, body: seen.body }));
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const proof = typeof req.headers.dpop === 'string' ? req.headers.dpop : undefined;
      let payload: { nonce?: string; jti?: string } = {};
      try {
        payload = proof ? JSON.parse(Buffer.from(proof.split('.')[1] ?? '', 'base64url').toString()) : {};
      } catch {}
      const seen: SeenRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        dpopCount: req.rawHeaders.filter((_, i) => i % 2 === 0 && req.rawHeaders[i]?.toLowerCase() === 'dpop').length,
        authorization: req.headers.authorization,
        nonce: payload.nonce,
        jti: payload.jti,
        body: Buffer.concat(chunks).toString('utf8'),
        headers: req.headers,
        status: 0,
      };
      requests.push(seen);
      res.on('finish', () => {
        seen.status = res.statusCode;
      });
      // requests overlap in flight (delayMs) but are judged one at a time, so counts are deterministic
      const delay = new Promise((r) => setTimeout(r, options.delayMs ?? 0));
      const turn = Promise.all([delay, queue]).then(() => handle(req, res, seen, origin));
      queue = turn.catch(() => {});
      turn.catch((err) => {
        res.writeHead(500);
        res.end(String(err));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    url: (path: string) => `${origin}${path}`,
    requests,
    state,
    rotate() {
      state.nonce = `nonce-${++counter}`;
      return state.nonce;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type DpopServer = Awaited<ReturnType<typeof startDpopServer>>;
