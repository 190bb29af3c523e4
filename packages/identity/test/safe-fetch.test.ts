import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSafeFetch, readJson, readText } from '../src/index.js';
import { createNodeSafeFetch } from '../src/node/index.js';
import { codeOf } from './helpers/codes.js';
import { type LoopbackHttp, startHttp } from './helpers/http-server.js';

let srv: LoopbackHttp;
let other: LoopbackHttp;

beforeAll(async () => {
  other = await startHttp((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('other'));
  srv = await startHttp((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const n = Number(url.searchParams.get('n') ?? 0);
    switch (url.pathname) {
      case '/ok':
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ hello: 'world', host: req.headers.host }));
        return;
      case '/html':
        res.writeHead(200, { 'content-type': 'text/html' }).end('<html>hi</html>');
        return;
      case '/echo': {
        let body = '';
        req.on('data', (c) => {
          body += c;
        });
        req.on('end', () =>
          res
            .writeHead(200, { 'content-type': 'application/json' })
            .end(JSON.stringify({ method: req.method, body, auth: req.headers.authorization ?? null })),
        );
        return;
      }
      case '/big-declared':
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(n) });
        res.end('x'.repeat(n));
        return;
      case '/big-chunked': {
        res.writeHead(200, { 'content-type': 'text/plain' });
        const chunk = 'y'.repeat(16 * 1024);
        let sent = 0;
        const pump = () => {
          while (sent < n) {
            sent += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          res.end();
        };
        res.on('close', () => {
          sent = n;
        });
        pump();
        return;
      }
      case '/trickle': {
        res.writeHead(200, { 'content-type': 'text/plain' });
        const t = setInterval(() => res.write('.'), 50);
        res.on('close', () => clearInterval(t));
        return;
      }
      case '/slow-headers':
        setTimeout(() => res.writeHead(200).end('late'), 2000);
        return;
      case '/redirect':
        res.writeHead(302, { location: url.searchParams.get('to') ?? '/ok' }).end();
        return;
      case '/loop':
        res.writeHead(301, { location: '/loop' }).end();
        return;
      case '/see-other':
        res.writeHead(303, { location: '/echo' }).end();
        return;
      case '/gzip': {
        import('node:zlib').then((zlib) => {
          res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
          res.end(zlib.gzipSync(JSON.stringify({ zipped: true })));
        });
        return;
      }
      default:
        res.writeHead(404).end();
    }
  });
});
afterAll(async () => {
  await srv.close();
  await other.close();
});

const dev = () => createNodeSafeFetch({ allowHttp: true, allowLoopback: true });

describe('safe fetch: protocol and address checks before any connection', () => {
  it('refuses non-http schemes with FETCH_PROTOCOL_REFUSED', async () => {
    const f = dev();
    for (const u of ['file:///etc/passwd', 'ftp://example.com/', 'data:text/plain,hi', 'javascript:alert(1)']) {
      expect(await codeOf(f(u)), u).toBe('FETCH_PROTOCOL_REFUSED');
    }
  });
  it('ID-HANDLE-07: production refuses http:// with FETCH_PROTOCOL_REFUSED and opens no connection', async () => {
    const before = srv.connections;
    const f = createNodeSafeFetch({ allowLoopback: true });
    expect(await codeOf(f(`${srv.origin}/ok`))).toBe('FETCH_PROTOCOL_REFUSED');
    expect(srv.connections).toBe(before);
  });
  it('IP literals in the block-list are refused (FETCH_UNSAFE_ADDRESS) and no connection is opened', async () => {
    const before = srv.connections;
    const f = createNodeSafeFetch({ allowHttp: true });
    for (const host of [
      '127.0.0.1',
      '[::ffff:127.0.0.1]',
      '[::ffff:7f00:1]',
      '0.0.0.0',
      '10.1.2.3',
      '169.254.169.254',
      '[fd00::1]',
      '[::1]',
      '2130706433',
      '0x7f.1',
    ]) {
      expect(await codeOf(f(`http://${host}:${srv.port}/ok`)), host).toBe('FETCH_UNSAFE_ADDRESS');
    }
    expect(srv.connections).toBe(before);
  });
  it('internal names are refused: localhost (unless allowLoopback), .local, .internal', async () => {
    const f = createNodeSafeFetch({ allowHttp: true });
    for (const u of [
      'http://localhost/',
      'http://LOCALHOST./',
      'http://a.localhost/',
      'http://printer.local/',
      'http://metadata.google.internal/',
    ]) {
      expect(await codeOf(f(u)), u).toBe('FETCH_UNSAFE_ADDRESS');
    }
  });
  it('credentials in the URL are refused', async () => {
    expect(await codeOf(dev()(`http://u:p@127.0.0.1:${srv.port}/ok`))).toBe('FETCH_INVALID_URL');
  });
  it('dev mode reaches loopback and returns a global Response', async () => {
    const res = await dev()(`${srv.origin}/ok`);
    expect(res).toBeInstanceOf(Response);
    expect(res.status).toBe(200);
    expect(res.url).toBe(`${srv.origin}/ok`);
    expect(await readJson(res)).toMatchObject({ hello: 'world' });
  });
  it('POST bodies and headers are sent', async () => {
    const res = await dev()(`${srv.origin}/echo`, {
      method: 'POST',
      body: 'a=1',
      headers: { authorization: 'DPoP x' },
    });
    expect(await res.json()).toEqual({ method: 'POST', body: 'a=1', auth: 'DPoP x' });
  });
  it('gzip bodies are decoded (and counted after decoding)', async () => {
    expect(await readJson(await dev()(`${srv.origin}/gzip`))).toEqual({ zipped: true });
  });
});

describe('safe fetch: host mapping (dev/test)', () => {
  it('sends a mapped host to the mapped origin; path and query kept', async () => {
    const f = createNodeSafeFetch({ allowHttp: true, allowLoopback: true, hostMap: { 'alice.test': srv.origin } });
    const res = await f('https://alice.test/ok?x=1');
    expect(res.status).toBe(200);
    expect(srv.requests.at(-1)?.url).toBe('/ok?x=1');
  });
  it('the Node transport keeps the requested name in the Host header (servers that route by name)', async () => {
    const f = createNodeSafeFetch({ allowHttp: true, allowLoopback: true, hostMap: { 'alice.test': srv.origin } });
    await (await f('https://alice.test/ok')).arrayBuffer();
    expect(srv.requests.at(-1)?.headers.host).toBe('alice.test');
    const unmapped = createNodeSafeFetch({ allowHttp: true, allowLoopback: true });
    await (await unmapped(`${srv.origin}/ok`)).arrayBuffer();
    expect(srv.requests.at(-1)?.headers.host).toBe(new URL(srv.origin).host);
  });
  it('a mapping to loopback still needs allowLoopback', async () => {
    const before = srv.connections;
    const f = createNodeSafeFetch({ allowHttp: true, hostMap: { 'alice.test': srv.origin } });
    expect(await codeOf(f('https://alice.test/ok'))).toBe('FETCH_UNSAFE_ADDRESS');
    expect(srv.connections).toBe(before);
  });
  it('a bad mapping is INVALID_OPTIONS', async () => {
    expect(await codeOf(() => createSafeFetch({ hostMap: { a: 'http://127.0.0.1:1/path' } }))).toBe('INVALID_OPTIONS');
  });
});

describe('ID-HANDLE-08 / §2: redirects', () => {
  it('none by default: FETCH_REDIRECT_REFUSED', async () => {
    expect(await codeOf(dev()(`${srv.origin}/redirect`))).toBe('FETCH_REDIRECT_REFUSED');
  });
  it("redirect: 'manual' from the caller returns the 3xx", async () => {
    const res = await dev()(`${srv.origin}/redirect`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/ok');
  });
  it('with maxRedirects, hops are followed up to the limit; a loop fails', async () => {
    const f = createNodeSafeFetch({ allowHttp: true, allowLoopback: true, maxRedirects: 3 });
    expect((await f(`${srv.origin}/redirect`)).status).toBe(200);
    expect(await codeOf(f(`${srv.origin}/loop`))).toBe('FETCH_REDIRECT_REFUSED');
    expect(srv.requests.filter((r) => r.url === '/loop').length).toBeGreaterThanOrEqual(4);
  });
  it('each hop is re-checked: a redirect to a private address opens no connection there', async () => {
    const f = createNodeSafeFetch({
      allowHttp: true,
      allowLoopback: true,
      maxRedirects: 3,
      hostMap: { 'start.test': srv.origin },
    });
    const before = other.connections;
    // The first hop is allowed (mapped loopback, dev); the target is a private literal.
    for (const to of ['https://10.0.0.1/', 'https://169.254.169.254/latest/meta-data', 'https://[fd00::1]/']) {
      expect(await codeOf(f(`https://start.test/redirect?to=${encodeURIComponent(to)}`)), to).toBe(
        'FETCH_UNSAFE_ADDRESS',
      );
    }
    expect(other.connections).toBe(before);
  });
  it('a redirect never downgrades https to http', async () => {
    const f = createNodeSafeFetch({
      allowHttp: true,
      allowLoopback: true,
      maxRedirects: 3,
      hostMap: { 'start.test': srv.origin },
    });
    const to = `${other.origin}/`;
    expect(await codeOf(f(`https://start.test/redirect?to=${encodeURIComponent(to)}`))).toBe('FETCH_REDIRECT_REFUSED');
  });
  it('303 turns POST into GET; credentials are dropped across origins', async () => {
    const f = createNodeSafeFetch({ allowHttp: true, allowLoopback: true, maxRedirects: 2 });
    const res = await f(`${srv.origin}/see-other`, { method: 'POST', body: 'secret', headers: { authorization: 'x' } });
    expect(await res.json()).toEqual({ method: 'GET', body: '', auth: 'x' }); // same origin keeps it
    const cross = await f(`${srv.origin}/redirect?to=${encodeURIComponent(`http://localhost:${srv.port}/echo`)}`, {
      headers: { authorization: 'x' },
    });
    expect(await cross.json()).toMatchObject({ auth: null });
  });
});

describe('§2: size caps', () => {
  it('a declared Content-Length over the cap fails at once with FETCH_TOO_LARGE', async () => {
    const f = createNodeSafeFetch({ allowHttp: true, allowLoopback: true, maxBytes: 1000 });
    expect(await codeOf(f(`${srv.origin}/big-declared?n=5000`))).toBe('FETCH_TOO_LARGE');
  });
  it('an undeclared (chunked) body is cut while streaming: default cap 512 KiB', async () => {
    const f = dev();
    const res = await f(`${srv.origin}/big-chunked?n=${4 * 1024 * 1024}`);
    expect(res.status).toBe(200);
    expect(await codeOf(res.text())).toBe('FETCH_TOO_LARGE');
    const small = await f(`${srv.origin}/big-chunked?n=${256 * 1024}`);
    expect((await small.text()).length).toBe(256 * 1024);
  });
  it('readText applies a smaller per-call cap', async () => {
    const res = await dev()(`${srv.origin}/big-chunked?n=${64 * 1024}`);
    expect(await codeOf(readText(res, { maxBytes: 1024 }))).toBe('FETCH_TOO_LARGE');
  });
});

describe('§2: timeouts (slow loris)', () => {
  it('slow headers → FETCH_TIMEOUT', async () => {
    const f = createNodeSafeFetch({ allowHttp: true, allowLoopback: true, timeoutMs: 200 });
    expect(await codeOf(f(`${srv.origin}/slow-headers`))).toBe('FETCH_TIMEOUT');
  });
  it('a body that trickles forever → FETCH_TIMEOUT while reading', async () => {
    const f = createNodeSafeFetch({ allowHttp: true, allowLoopback: true, timeoutMs: 300 });
    const res = await f(`${srv.origin}/trickle`);
    const t0 = Date.now();
    expect(await codeOf(res.text())).toBe('FETCH_TIMEOUT');
    expect(Date.now() - t0).toBeLessThan(5000);
  });
  it("the caller's signal aborts with FETCH_ABORTED", async () => {
    const ac = new AbortController();
    const p = dev()(`${srv.origin}/slow-headers`, { signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    expect(await codeOf(p)).toBe('FETCH_ABORTED');
  });
  it('invalid option values are INVALID_OPTIONS', async () => {
    expect(await codeOf(() => createSafeFetch({ timeoutMs: -1 }))).toBe('INVALID_OPTIONS');
    expect(await codeOf(() => createSafeFetch({ maxBytes: 1.5 }))).toBe('INVALID_OPTIONS');
  });
});

describe('JSON helper', () => {
  it('refuses a non-JSON content type (HTML is not JSON)', async () => {
    expect(await codeOf(readJson(await dev()(`${srv.origin}/html`)))).toBe('FETCH_BAD_RESPONSE');
  });
  it('refuses invalid JSON with an accepted type', async () => {
    const res = new Response('{nope', { headers: { 'content-type': 'application/json; charset=utf-8' } });
    expect(await codeOf(readJson(res))).toBe('FETCH_BAD_RESPONSE');
  });
});

describe('the runtime-neutral pipeline over globalThis.fetch (main entry, no Node transport)', () => {
  it('same policy: literals refused without a connection; dev reaches loopback; caps and redirects apply', async () => {
    const prod = createSafeFetch({ allowHttp: true });
    const before = srv.connections;
    expect(await codeOf(prod(`${srv.origin}/ok`))).toBe('FETCH_UNSAFE_ADDRESS');
    expect(srv.connections).toBe(before);
    const devFetch = createSafeFetch({ allowHttp: true, allowLoopback: true, maxBytes: 1000 });
    expect(await readJson(await devFetch(`${srv.origin}/ok`))).toMatchObject({ hello: 'world' });
    expect(await codeOf(devFetch(`${srv.origin}/redirect`))).toBe('FETCH_REDIRECT_REFUSED');
    const big = await devFetch(`${srv.origin}/big-chunked?n=${64 * 1024}`);
    expect(await codeOf(big.text())).toBe('FETCH_TOO_LARGE');
  });
});
