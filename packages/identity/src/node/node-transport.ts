import type { LookupAddress } from 'node:dns';
import { lookup as dnsLookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { IdentityError } from '../errors.js';
import { isIpAddress } from '../ip-address.js';
import { BODY_GUARD, type BodyGuard, type FetchLike } from '../safe-fetch.js';
import { type AddressPolicy, assertSafeAddress } from '../url-policy.js';

/** Resolves a host name to every address it has (like `dns.promises.lookup(name, { all: true })`). */
export type AddressLookup = (hostname: string) => Promise<readonly LookupAddress[]>;

/** Options for `createNodeTransport`. */
export interface NodeTransportOptions extends AddressPolicy {
  /** How host names become addresses. Default: the OS resolver (`dns.promises.lookup`, all addresses). */
  readonly lookup?: AddressLookup;
  /** Reuse connections (each new socket is checked at connect time). Default `true`. */
  readonly keepAlive?: boolean;
}

type NodeLookupCallback = (err: Error | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `fetch`-compatible transport over `node:http`/`node:https` whose `lookup` hook refuses a
 * connection when ANY resolved address is in the SSRF block-list — the check runs on the address
 * the socket is about to use, so DNS rebinding cannot slip past (requirements §2). IP literals,
 * which skip the lookup, are checked directly. Returns the runtime's own `Response`.
 *
 * Why node:http and not undici's `Agent({ connect: { lookup } })`: undici 7 returns its own
 * `Response` class (not the global one `instanceof` checks expect) and its dispatcher does not
 * plug into Node 20's bundled fetch, while node:http gives the same connect-time hook with no
 * dependency. Redirects are never followed here (the safe fetch pipeline does that).
 */
export function createNodeTransport(options: NodeTransportOptions = {}): FetchLike {
  const policy: AddressPolicy = { allowHttp: options.allowHttp, allowLoopback: options.allowLoopback };
  const resolveAll = options.lookup ?? ((name: string) => dnsLookup(name, { all: true, verbatim: true }));
  const keepAlive = options.keepAlive ?? true;
  const agents = {
    'http:': new http.Agent({ keepAlive }),
    'https:': new https.Agent({ keepAlive }),
  };

  // Connect-time check: Node calls this right before opening the socket.
  const lookup = (hostname: string, opts: { family?: number; all?: boolean }, cb: NodeLookupCallback) => {
    resolveAll(hostname).then(
      (found) => {
        try {
          const wanted = opts.family === 4 || opts.family === 6 ? found.filter((a) => a.family === opts.family) : found;
          if (wanted.length === 0) {
            const err = Object.assign(new Error(`No address for ${hostname}`), { code: 'ENOTFOUND' });
            cb(err, opts.all ? [] : '', undefined);
            return;
          }
          // SSRF: refuse if ANY answer is forbidden, so a mixed answer can't be raced.
          for (const a of wanted) assertSafeAddress(a.address, policy, hostname);
          if (opts.all) cb(null, [...wanted]);
          else cb(null, (wanted[0] as LookupAddress).address, (wanted[0] as LookupAddress).family);
        } catch (err) {
          cb(err as Error, opts.all ? [] : '', undefined);
        }
      },
      (err: Error) => cb(err, opts.all ? [] : '', undefined),
    );
  };

  return async function nodeTransport(input, init) {
    // Fast path for what the safe fetch sends (a URL string, Headers, a resendable body): no Request.
    const plain = typeof input === 'string' || input instanceof URL;
    const request = plain ? undefined : new Request(input, init);
    const url = new URL(request ? request.url : String(input));
    const method = (request ? request.method : (init?.method ?? 'GET')).toUpperCase();
    const mod = url.protocol === 'https:' ? https : url.protocol === 'http:' ? http : undefined;
    if (!mod)
      throw new IdentityError('FETCH_PROTOCOL_REFUSED', `The Node transport only speaks http(s), not ${url.protocol}.`);
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    if (isIpAddress(host)) assertSafeAddress(host, policy, host);
    const headers: Record<string, string> = {};
    new Headers(request ? request.headers : init?.headers).forEach((value, key) => {
      headers[key] = value;
    });
    const body = request
      ? request.body
        ? Buffer.from(await request.arrayBuffer())
        : undefined
      : await bodyBytes(init?.body, headers);
    headers['accept-encoding'] ??= 'gzip, deflate, br';
    if (body) headers['content-length'] = String(body.byteLength);
    const guard = (init as { [BODY_GUARD]?: BodyGuard } | undefined)?.[BODY_GUARD];
    // Dev host mapping: keep the name the caller asked for (see BodyGuard.host).
    if (guard?.host) headers.host = guard.host;

    return new Promise<Response>((resolve, reject) => {
      const req = mod.request(
        {
          protocol: url.protocol,
          hostname: host,
          port: url.port || undefined,
          path: `${url.pathname}${url.search}`,
          method,
          headers,
          agent: agents[url.protocol as 'http:' | 'https:'],
          lookup: lookup as never,
          ...(guard?.host && url.protocol === 'https:' ? { servername: guard.host.replace(/:\d+$/, '') } : {}),
          signal: init?.signal ?? undefined,
        },
        (res) => {
          const responseHeaders = new Headers();
          for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
            responseHeaders.append(res.rawHeaders[i] as string, res.rawHeaders[i + 1] as string);
          }
          const status = res.statusCode ?? 502;
          const nullBody = method === 'HEAD' || status === 204 || status === 304;
          let source: Readable = res;
          const encoding = (res.headers['content-encoding'] ?? '').toLowerCase();
          if (!nullBody && (encoding === 'gzip' || encoding === 'deflate' || encoding === 'br')) {
            const decoder =
              encoding === 'br'
                ? zlib.createBrotliDecompress()
                : encoding === 'gzip'
                  ? zlib.createGunzip()
                  : zlib.createInflate();
            res.on('error', (e) => decoder.destroy(e));
            source = res.pipe(decoder);
            responseHeaders.delete('content-encoding');
            responseHeaders.delete('content-length');
          }
          if (guard) {
            const declared = Number(res.headers['content-length'] ?? Number.NaN);
            if (!nullBody && declared > guard.maxBytes) {
              res.destroy();
              guard.onEnd();
              reject(
                new IdentityError(
                  'FETCH_TOO_LARGE',
                  `The response declares ${declared} bytes; the cap is ${guard.maxBytes}.`,
                ),
              );
              return;
            }
            if (nullBody) guard.onEnd();
          }
          try {
            const response = new Response(
              nullBody ? null : toWebStream(source, res, guard, init?.signal ?? undefined),
              {
                status,
                statusText: res.statusMessage ?? '',
                headers: responseHeaders,
              },
            );
            // Tells the safe fetch this body is capped here and reports its end (BODY_GUARD).
            if (guard) Object.defineProperty(response, BODY_GUARD, { value: true });
            resolve(response);
          } catch (err) {
            res.destroy();
            guard?.onEnd();
            reject(new IdentityError('FETCH_BAD_RESPONSE', `Unusable HTTP status ${status}.`, { cause: err }));
          }
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  };
}

/** The request body as bytes (the safe fetch only passes resendable bodies on the fast path). */
async function bodyBytes(body: unknown, headers: Record<string, string>): Promise<Buffer | undefined> {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') {
    headers['content-type'] ??= 'text/plain;charset=UTF-8';
    return Buffer.from(body, 'utf8');
  }
  if (body instanceof URLSearchParams) {
    headers['content-type'] ??= 'application/x-www-form-urlencoded;charset=UTF-8';
    return Buffer.from(body.toString(), 'utf8');
  }
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  // Anything else (Blob, FormData, a stream): let the platform serialise it.
  const r = new Response(body as BodyInit);
  const type = r.headers.get('content-type');
  if (type) headers['content-type'] ??= type;
  return Buffer.from(await r.arrayBuffer());
}

/**
 * A pull-based web stream over a Node stream (backpressure: pause when the queue is full). With a
 * guard, the decoded bytes are counted and capped here, and the guard hears when the body ends.
 */
function toWebStream(
  source: Readable,
  res: http.IncomingMessage,
  guard?: BodyGuard,
  signal?: AbortSignal,
): ReadableStream<Uint8Array> {
  let finished = false;
  let total = 0;
  const end = () => {
    finished = true;
    guard?.onEnd();
  };
  return new ReadableStream<Uint8Array>({
    start(ctrl) {
      const fail = (err: Error) => {
        if (finished) return;
        end();
        // An abort (timeout, caller) is reported as its reason, not as a network failure.
        ctrl.error(signal?.aborted ? signal.reason : err);
      };
      source.on('data', (chunk: Buffer) => {
        if (finished) return;
        total += chunk.byteLength;
        if (guard && total > guard.maxBytes) {
          fail(new IdentityError('FETCH_TOO_LARGE', `The response body passed the ${guard.maxBytes}-byte cap.`));
          res.destroy();
          source.destroy();
          return;
        }
        ctrl.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((ctrl.desiredSize ?? 0) <= 0) source.pause();
      });
      source.on('end', () => {
        if (finished) return;
        end();
        ctrl.close();
      });
      source.on('error', (err) =>
        fail(
          err instanceof IdentityError
            ? err
            : new IdentityError('FETCH_NETWORK', 'The connection failed while reading the body.', { cause: err }),
        ),
      );
      res.on('aborted', () => fail(new IdentityError('FETCH_NETWORK', 'The connection closed before the body ended.')));
    },
    pull() {
      source.resume();
    },
    cancel() {
      if (!finished) end();
      res.destroy();
      source.destroy();
    },
  });
}
