import http from 'node:http';
import { RefPdsError } from './errors.js';

/** One loopback HTTP exchange, body read in full (bounded). */
export interface HttpResult {
  readonly status: number;
  /** Lower-case header names; repeated headers joined with `, ` (except `set-cookie`). */
  readonly headers: Readonly<Record<string, string>>;
  readonly setCookies: readonly string[];
  readonly text: string;
}

export interface HttpRequestOptions {
  readonly method?: 'GET' | 'POST';
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Default 15 s for the whole exchange. */
  readonly timeoutMs?: number;
  /** Default 1 MiB: the provider's pages and API answers are far smaller. */
  readonly maxBytes?: number;
}

/**
 * A minimal HTTP/1.1 client over `node:http`. Not `fetch`: undici overwrites the
 * `Sec-Fetch-Mode` header with `cors`, and the provider's UI endpoints require the values a
 * browser sends (`navigate`, `same-origin`). Only `http:` URLs (the reference PDS is on
 * loopback); redirects are returned, never followed.
 */
export function httpRequest(url: string | URL, options: HttpRequestOptions = {}): Promise<HttpResult> {
  const target = new URL(url);
  if (target.protocol !== 'http:') {
    return Promise.reject(
      new RefPdsError('INVALID_OPTIONS', `Only http:// loopback URLs are used here, not ${target.protocol}.`),
    );
  }
  const timeoutMs = options.timeoutMs ?? 15_000;
  const maxBytes = options.maxBytes ?? 1024 * 1024;
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.body !== undefined) headers['content-length'] = String(Buffer.byteLength(options.body));
    const req = http.request(target, {
      method: options.method ?? 'GET',
      headers,
      signal: AbortSignal.timeout(timeoutMs),
    });
    req.on('error', (cause) =>
      reject(
        new RefPdsError('LOGIN_FAILED', `${options.method ?? 'GET'} ${target.pathname} failed: ${cause.message}`, {
          cause,
        }),
      ),
    );
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) {
          res.destroy();
          reject(new RefPdsError('PROVIDER_CHANGED', `${target.pathname} answered more than ${maxBytes} bytes.`));
          return;
        }
        chunks.push(chunk);
      });
      res.on('error', (cause) =>
        reject(new RefPdsError('LOGIN_FAILED', `${target.pathname}: ${cause.message}`, { cause })),
      );
      res.on('end', () => {
        const flat: Record<string, string> = {};
        for (const [name, value] of Object.entries(res.headers)) {
          if (name === 'set-cookie' || value === undefined) continue;
          flat[name] = Array.isArray(value) ? value.join(', ') : value;
        }
        resolve({
          status: res.statusCode ?? 0,
          headers: flat,
          setCookies: res.headers['set-cookie'] ?? [],
          text: Buffer.concat(chunks).toString('utf8'),
        });
      });
    });
    req.end(options.body);
  });
}

/** `JSON.parse` that returns `undefined` instead of throwing (the caller validates the shape). */
export function parseJsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
