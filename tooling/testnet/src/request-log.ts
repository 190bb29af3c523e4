import type { MockResponse } from './http-server.js';
import type { NonceManager } from './nonce-manager.js';

/** What the network saw of one request: the conformance suite judges clients from this. */
export interface LoggedRequest {
  server: 'as' | 'pds';
  /** A short name: 'as-metadata', 'par', 'authorize', 'token', 'revoke', 'prm', or the XRPC method. */
  endpoint: string;
  method: string;
  path: string;
  status: number;
  /** Form fields of a POST to the AS, every value kept (repeats are visible). */
  form?: Record<string, string[]>;
  /** Verified DPoP proof (jkt and claims) when one was sent and passed. */
  dpop?: { jkt: string; claims: Record<string, unknown> };
  /** Raw DPoP header values as sent. */
  dpopHeaders: string[];
  authorization?: string;
  /** The `error` the server answered with, if any. */
  error?: string;
  /** The `DPoP-Nonce` the response carried, if any (NONCE-04: which server issued which nonce). */
  nonce?: string;
}

export function formRecord(params: URLSearchParams): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of params) {
    const list = out[k] ?? [];
    list.push(v);
    out[k] = list;
  }
  return out;
}

/**
 * The last step of every AS and PDS answer: NONCE-03 / NONCE-08 (each response carries the current
 * nonce, unless a fault omits it on success), the CORS exposure of the DPoP headers (NONCE-09), and
 * the log entry (status, nonce, OAuth/XRPC `error`).
 */
export function finishResponse(
  res: MockResponse,
  entry: LoggedRequest,
  context: { nonces: NonceManager; omitNonceOnSuccess: boolean; log: LoggedRequest[] },
): MockResponse {
  res.headers = { ...res.headers, 'dpop-nonce': (res.headers?.['dpop-nonce'] as string) ?? context.nonces.next() };
  res.headers['access-control-expose-headers'] = 'DPoP-Nonce, WWW-Authenticate';
  if (res.status < 300 && context.omitNonceOnSuccess) delete res.headers['dpop-nonce'];
  entry.nonce = res.headers['dpop-nonce'] as string | undefined;
  entry.status = res.status;
  if (res.status >= 400 && typeof res.body === 'string') {
    try {
      entry.error = JSON.parse(res.body).error;
    } catch {}
  }
  context.log.push(entry);
  return res;
}
