import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDnsHandleResolver,
  createDohHandleResolver,
  createParallelHandleResolver,
  createWellKnownHandleResolver,
  createXrpcHandleResolver,
  type HandleResolver,
} from '../src/index.js';
import { createNodeSafeFetch, createNodeTxtLookup } from '../src/node/index.js';
import { codeOf } from './helpers/codes.js';
import { type LoopbackDns, startDns } from './helpers/dns-server.js';
import { type LoopbackHttp, startHttp } from './helpers/http-server.js';

const A = 'did:plc:ewvi7nxzyoun6zhxrhs64oiz';
const B = 'did:plc:yk4dd2qkboz2yv6tpubpc6co';

// Well-known bodies per handle (Host header tells handles apart on the one loopback server).
const WK: Record<string, { status?: number; type?: string; body: string }> = {
  'wk.test': { body: `${A}\n`, type: 'application/octet-stream' },
  'both.test': { body: B },
  'html.test': { type: 'text/html', body: `<html><body>${A}</body></html>` },
  'json.test': { type: 'application/json', body: JSON.stringify({ did: A }) },
  'prefix.test': { body: `did is ${A}` },
  '404.test': { status: 404, body: A },
  '500.test': { status: 500, body: A },
  'huge.test': { body: 'x'.repeat(100_000) },
  'spaces.test': { body: `  \t${A} \r\n` },
};

let dns: LoopbackDns;
let web: LoopbackHttp;
let fetch: ReturnType<typeof createNodeSafeFetch>;
let dnsResolver: HandleResolver;
let wkResolver: HandleResolver;

beforeAll(async () => {
  dns = await startDns({
    '_atproto.dns.test': { TXT: [[`did=${A}`]] },
    '_atproto.both.test': { TXT: [[`did=${A}`]] },
    '_atproto.spf.test': { TXT: [['v=spf1 -all'], ['hello']] },
    '_atproto.split.test': { TXT: [['did=did:plc:ewvi7nxzyo', 'un6zhxrhs64oiz']] },
    '_atproto.conflict.test': { TXT: [[`did=${A}`], [`did=${B}`]] },
    '_atproto.dup.test': { TXT: [[`did=${A}`], [`did=${A}`], ['v=spf1']] },
  });
  web = await startHttp((req, res) => {
    const host = (req.headers.host ?? '').split(':')[0] ?? '';
    const hit = req.url === '/.well-known/atproto-did' ? WK[host] : undefined;
    if (!hit) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(hit.status ?? 200, { 'content-type': hit.type ?? 'text/plain' }).end(hit.body);
  });
  const names = [...Object.keys(WK), 'dns.test', 'spf.test', 'conflict.test', 'nothing.test', 'split.test', 'dup.test'];
  // Every handle host goes to the loopback server; the Host header keeps the handle's name.
  fetch = createNodeSafeFetch({
    allowHttp: true,
    allowLoopback: true,
    hostMap: Object.fromEntries(names.map((n) => [n, `http://${n}:${web.port}`])),
    lookup: async () => [{ address: '127.0.0.1', family: 4 }],
  });
  dnsResolver = createDnsHandleResolver({ txt: createNodeTxtLookup({ servers: [dns.server] }) });
  wkResolver = createWellKnownHandleResolver({ fetch });
});
afterAll(async () => {
  await Promise.all([dns.close(), web.close()]);
});

describe('ID-HANDLE-04: DNS TXT at _atproto.<handle>', () => {
  it('a did= record gives that DID (real DNS server on loopback)', async () => {
    expect(await dnsResolver.resolve('dns.test')).toBe(A);
    expect(dns.queries.some((q) => q.name === '_atproto.dns.test' && q.type === 'TXT')).toBe(true);
  });
  it('values not starting with did= are skipped → null', async () => {
    expect(await dnsResolver.resolve('spf.test')).toBeNull();
  });
  it('no such name → null', async () => {
    expect(await dnsResolver.resolve('nothing.test')).toBeNull();
  });
  it('a record split into several character-strings is joined', async () => {
    expect(await dnsResolver.resolve('split.test')).toBe(A);
  });
  it('a failing DNS server → IDENTITY_DNS_FAILED', async () => {
    const broken = createDnsHandleResolver({
      txt: createNodeTxtLookup({ servers: ['127.0.0.1:9'], timeoutMs: 200, tries: 1 }),
    });
    expect(await codeOf(broken.resolve('dns.test'))).toBe('IDENTITY_DNS_FAILED');
  });
});

describe('ID-HANDLE-05: several different did= values fail', () => {
  it('two different DIDs → IDENTITY_CONFLICT', async () => {
    expect(await codeOf(dnsResolver.resolve('conflict.test'))).toBe('IDENTITY_CONFLICT');
  });
  it('identical duplicates are one answer', async () => {
    expect(await dnsResolver.resolve('dup.test')).toBe(A);
  });
  it('a DNS conflict fails the combined resolution even when HTTPS would answer', async () => {
    const r = createParallelHandleResolver({ dns: dnsResolver, wellKnown: { resolve: async () => A } });
    expect(await codeOf(r.resolve('conflict.test'))).toBe('IDENTITY_CONFLICT');
  });
});

describe('ID-HANDLE-06: HTTPS /.well-known/atproto-did', () => {
  it('any 2xx; body trimmed; content type not required to be text/plain', async () => {
    expect(await wkResolver.resolve('wk.test')).toBe(A);
    expect(await wkResolver.resolve('spaces.test')).toBe(A);
  });
  it('HTML, a JSON wrapper or text before the DID → FETCH_BAD_RESPONSE', async () => {
    for (const h of ['html.test', 'json.test', 'prefix.test']) {
      expect(await codeOf(wkResolver.resolve(h)), h).toBe('FETCH_BAD_RESPONSE');
    }
  });
  it('404 and 500 are "no answer"', async () => {
    expect(await wkResolver.resolve('404.test')).toBeNull();
    expect(await wkResolver.resolve('500.test')).toBeNull();
  });
  it('the body is capped small (FETCH_TOO_LARGE)', async () => {
    expect(await codeOf(wkResolver.resolve('huge.test'))).toBe('FETCH_TOO_LARGE');
  });
  it('ID-HANDLE-07: the request is https://<handle>/ — production refuses the plain-http mapping', async () => {
    const seen: string[] = [];
    const recorder = createWellKnownHandleResolver({
      fetch: async (input) => {
        seen.push(String(input));
        return new Response(A);
      },
    });
    await recorder.resolve('alice.example.com');
    expect(seen).toEqual(['https://alice.example.com/.well-known/atproto-did']);
    const prod = createNodeSafeFetch({ allowLoopback: true, hostMap: { 'wk.test': `http://wk.test:${web.port}` } });
    const before = web.connections;
    expect(await codeOf(createWellKnownHandleResolver({ fetch: prod }).resolve('wk.test'))).toBe(
      'FETCH_PROTOCOL_REFUSED',
    );
    expect(web.connections).toBe(before);
  });
});

describe('ID-HANDLE-09 / ID-HANDLE-10: both methods, in parallel, DNS preferred', () => {
  const combined = () => createParallelHandleResolver({ dns: dnsResolver, wellKnown: wkResolver });
  it('a DNS-only handle and a well-known-only handle both resolve', async () => {
    expect(await combined().resolve('dns.test')).toBe(A);
    expect(await combined().resolve('wk.test')).toBe(A);
  });
  it('DNS=A, HTTPS=B gives A, never B', async () => {
    expect(await combined().resolve('both.test')).toBe(A);
  });
  it('neither → null; a well-known error surfaces when DNS has nothing', async () => {
    expect(await combined().resolve('nothing.test')).toBeNull();
    expect(await codeOf(combined().resolve('html.test'))).toBe('FETCH_BAD_RESPONSE');
  });
  it('the two lookups start together (HTTPS is requested before DNS answers)', async () => {
    dns.delayMs = 300;
    try {
      const before = web.requests.length;
      const p = combined().resolve('wk.test');
      await new Promise((r) => setTimeout(r, 150));
      expect(web.requests.length).toBe(before + 1); // well-known already asked while DNS is still pending
      expect(await p).toBe(A);
    } finally {
      dns.delayMs = 0;
    }
  });
  it('when DNS answers first, the HTTPS request is cancelled', async () => {
    let aborted = false;
    const slowWk: HandleResolver = {
      resolve: (_h, opts) =>
        new Promise((_, reject) => {
          opts?.signal?.addEventListener('abort', () => {
            aborted = true;
            reject(opts.signal?.reason);
          });
        }),
    };
    const r = createParallelHandleResolver({ dns: dnsResolver, wellKnown: slowWk });
    expect(await r.resolve('dns.test')).toBe(A);
    expect(aborted).toBe(true);
  });
});

describe('XRPC com.atproto.identity.resolveHandle on a configured service', () => {
  let xrpc: LoopbackHttp;
  beforeAll(async () => {
    xrpc = await startHttp((req, res) => {
      const handle = new URL(req.url ?? '/', 'http://x').searchParams.get('handle');
      if (handle === 'alice.test')
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ did: A }));
      else if (handle === 'html.test') res.writeHead(200, { 'content-type': 'text/html' }).end('<html/>');
      else
        res
          .writeHead(400, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: 'HandleNotFound', message: 'x' }));
    });
  });
  afterAll(() => xrpc.close());
  it('answers, not-found and bad responses', async () => {
    const r = createXrpcHandleResolver({
      service: xrpc.origin,
      fetch: createNodeSafeFetch({ allowHttp: true, allowLoopback: true }),
    });
    expect(await r.resolve('alice.test')).toBe(A);
    expect(xrpc.requests.at(-1)?.url).toBe('/xrpc/com.atproto.identity.resolveHandle?handle=alice.test');
    expect(await r.resolve('bob.test')).toBeNull();
    expect(await codeOf(r.resolve('html.test'))).toBe('FETCH_BAD_RESPONSE');
  });
});

describe('DNS-over-HTTPS (application/dns-json) for browsers', () => {
  let doh: LoopbackHttp;
  beforeAll(async () => {
    doh = await startHttp((req, res) => {
      const u = new URL(req.url ?? '/', 'http://x');
      const name = u.searchParams.get('name');
      const json = (o: unknown) =>
        res.writeHead(200, { 'content-type': 'application/dns-json' }).end(JSON.stringify(o));
      if (u.searchParams.get('type') !== 'TXT' || req.headers.accept !== 'application/dns-json')
        return void res.writeHead(400).end();
      if (name === '_atproto.doh.test') {
        return json({
          Status: 0,
          Answer: [
            { name, type: 16, TTL: 60, data: `"did=${A}"` },
            { name, type: 16, data: '"v=spf1" " -all"' },
          ],
        });
      }
      if (name === '_atproto.split.test')
        return json({ Status: 0, Answer: [{ name, type: 16, data: '"did=did:plc:ewvi7" "nxzyoun6zhxrhs64oiz"' }] });
      if (name === '_atproto.conflict.test') {
        return json({
          Status: 0,
          Answer: [
            { name, type: 16, data: `"did=${A}"` },
            { name, type: 16, data: `"did=${B}"` },
          ],
        });
      }
      if (name === '_atproto.fail.test') return json({ Status: 2 });
      return json({ Status: 3 });
    });
  });
  afterAll(() => doh.close());
  it('resolves, joins strings, detects conflicts, maps NXDOMAIN to null and SERVFAIL to an error', async () => {
    const r = createDohHandleResolver({
      url: `${doh.origin}/dns-query`,
      fetch: createNodeSafeFetch({ allowHttp: true, allowLoopback: true }),
    });
    expect(await r.resolve('doh.test')).toBe(A);
    expect(await r.resolve('split.test')).toBe(A);
    expect(await r.resolve('none.test')).toBeNull();
    expect(await codeOf(r.resolve('conflict.test'))).toBe('IDENTITY_CONFLICT');
    expect(await codeOf(r.resolve('fail.test'))).toBe('IDENTITY_DNS_FAILED');
  });
});

describe('ID-HANDLE-09: a handle published by neither method is "not found"', () => {
  it('DNS NXDOMAIN and a well-known host that does not exist (NXDOMAIN) → null, not a network error', async () => {
    const { createNodeAddressLookup } = await import('../src/node/index.js');
    // Address lookups go to the loopback DNS too, which has no A record for the name: NXDOMAIN.
    const nxFetch = createNodeSafeFetch({ lookup: createNodeAddressLookup({ servers: [dns.server] }) });
    const resolver = createParallelHandleResolver({
      dns: dnsResolver,
      wellKnown: createWellKnownHandleResolver({ fetch: nxFetch }),
    });
    expect(await resolver.resolve('absent.test')).toBeNull();
    expect(dns.queries.some((q) => q.name === 'absent.test' && (q.type === 'A' || q.type === 'AAAA'))).toBe(true);
  });
});
