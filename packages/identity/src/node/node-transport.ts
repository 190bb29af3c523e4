import type { LookupAddress } from 'node:dns';
import { lookup as dnsLookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { IdentityError } from '../errors.js';
import { isIpAddress } from '../ip-address.js';
import type { FetchLike } from '../safe-fetch.js';
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
    const request = new Request(input, init);
    const url = new URL(request.url);
    const mod = url.protocol === 'https:' ? https : url.protocol === 'http:' ? http : undefined;
    if (!mod)
      throw new IdentityError('FETCH_PROTOCOL_REFUSED', `The Node transport only speaks http(s), not ${url.protocol}.`);
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    if (isIpAddress(host)) assertSafeAddress(host, policy, host);
    const body = request.body ? Buffer.from(await request.arrayBuffer()) : undefined;
    const headers: Record<string, string> = {};
    request.headers.forEach((value, key) => {
      headers[key] = value;
    });
    headers['accept-encoding'] ??= 'gzip, deflate, br';
    if (body) headers['content-length'] = String(body.byteLength);

    return new Promise<Response>((resolve, reject) => {
      const req = mod.request(
        {
          protocol: url.protocol,
          hostname: host,
          port: url.port || undefined,
          path: `${url.pathname}${url.search}`,
          method: request.method,
          headers,
          agent: agents[url.protocol as 'http:' | 'https:'],
          lookup: lookup as never,
          signal: init?.signal ?? undefined,
        },
        (res) => {
          const responseHeaders = new Headers();
          for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
            responseHeaders.append(res.rawHeaders[i] as string, res.rawHeaders[i + 1] as string);
          }
          const status = res.statusCode ?? 502;
          const nullBody = request.method === 'HEAD' || status === 204 || status === 304;
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
          try {
            resolve(
              new Response(nullBody ? null : toWebStream(source, res), {
                status,
                statusText: res.statusMessage ?? '',
                headers: responseHeaders,
              }),
            );
          } catch (err) {
            res.destroy();
            reject(new IdentityError('FETCH_BAD_RESPONSE', `Unusable HTTP status ${status}.`, { cause: err }));
          }
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  };
}

/** A pull-based web stream over a Node stream (backpressure: pause when the queue is full). */
function toWebStream(source: Readable, res: http.IncomingMessage): ReadableStream<Uint8Array> {
  let finished = false;
  return new ReadableStream<Uint8Array>({
    start(ctrl) {
      const fail = (err: Error) => {
        if (finished) return;
        finished = true;
        ctrl.error(err);
      };
      source.on('data', (chunk: Buffer) => {
        if (finished) return;
        ctrl.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((ctrl.desiredSize ?? 0) <= 0) source.pause();
      });
      source.on('end', () => {
        if (finished) return;
        finished = true;
        ctrl.close();
      });
      source.on('error', fail);
      res.on('aborted', () => fail(new Error('The connection closed before the body ended.')));
    },
    pull() {
      source.resume();
    },
    cancel() {
      finished = true;
      res.destroy();
      source.destroy();
    },
  });
}
