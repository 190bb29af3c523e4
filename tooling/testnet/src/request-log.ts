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
