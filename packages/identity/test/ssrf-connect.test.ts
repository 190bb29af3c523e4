import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDidResolver, createIdentityResolver, createWellKnownHandleResolver } from '../src/index.js';
import { createNodeAddressLookup, createNodeSafeFetch } from '../src/node/index.js';
import { codeOf } from './helpers/codes.js';
import { type LoopbackDns, startDns } from './helpers/dns-server.js';
import { type LoopbackHttp, routes, startHttp } from './helpers/http-server.js';

// Every test here runs in PRODUCTION address mode (allowLoopback: false). Plain http is allowed only
// because the loopback servers cannot serve TLS on 443; the address policy is what is under test.
// Host names resolve through a real DNS server on loopback, and servers count TCP connections, so
// "refused" is asserted at the connect layer, not only on the error.

const DID = 'did:plc:ewvi7nxzyoun6zhxrhs64oiz';
let dns: LoopbackDns;
let v4: LoopbackHttp; // 127.0.0.1
let v6: LoopbackHttp; // ::1
let plc: LoopbackHttp;

beforeAll(async () => {
  v4 = await startHttp(routes({ '/.well-known/atproto-did': { body: DID }, '/': { body: 'hi' } }));
  v6 = await startHttp(routes({ '/.well-known/atproto-did': { body: DID }, '/': { body: 'hi' } }), '::1');
  dns = await startDns({
    'loop.example.com': { A: ['127.0.0.1'] },
    'loop-other.example.com': { A: ['127.0.0.1'] },
    'v6loop.example.com': { AAAA: ['::1'] },
    'mapped.example.com': { AAAA: ['::ffff:127.0.0.1'] },
    'zero.example.com': { A: ['0.0.0.0'] },
    'ten.example.com': { A: ['10.0.0.5'] },
    'meta.example.com': { A: ['169.254.169.254'] },
    'ula.example.com': { AAAA: ['fd00::5'] },
    'mappedpriv.example.com': { AAAA: ['::ffff:10.0.0.5'] },
    'cgnat.example.com': { A: ['100.64.0.1'] },
    'mixed.example.com': { A: ['93.184.216.34', '127.0.0.1'] },
    'pds.evil.example.com': { A: ['127.0.0.1'] },
  });
});
afterAll(async () => {
  await Promise.all([v4.close(), v6.close(), dns.close(), plc?.close()]);
});

function prodFetch(
  hostMap: Record<string, string> = {},
  extra: { allowLoopback?: boolean; maxRedirects?: number } = {},
) {
  return createNodeSafeFetch({
    allowHttp: true,
    allowLoopback: extra.allowLoopback ?? false,
    maxRedirects: extra.maxRedirects ?? 0,
    lookup: createNodeAddressLookup({ servers: [dns.server] }),
    hostMap,
  });
}

const LOOPBACK_CASES: [string, () => LoopbackHttp][] = [
  ['loop.example.com', () => v4], // A 127.0.0.1
  ['v6loop.example.com', () => v6], // AAAA ::1
  ['mapped.example.com', () => v4], // AAAA ::ffff:127.0.0.1 reaches the 127.0.0.1 listener
  ['zero.example.com', () => v4], // A 0.0.0.0 reaches local listeners on Linux
  ['mixed.example.com', () => v4], // one public + one loopback answer
];

describe('§2 SSRF: the resolved address is checked at connect time (DNS rebinding)', () => {
  it.each(LOOPBACK_CASES)('%s → FETCH_UNSAFE_ADDRESS, zero connections opened', async (host, server) => {
    const s = server();
    const before = s.connections;
    const queriesBefore = dns.queries.length;
    const f = prodFetch();
    expect(await codeOf(f(`http://${host}:${s.port}/`))).toBe('FETCH_UNSAFE_ADDRESS');
    expect(s.connections).toBe(before);
    expect(dns.queries.slice(queriesBefore).some((q) => q.name === host)).toBe(true); // it did resolve
  });

  it('control: the same requests connect when loopback is allowed (so the counters can fail)', async () => {
    for (const [host, server] of LOOPBACK_CASES.filter(
      ([h]) => h !== 'zero.example.com' && h !== 'mixed.example.com',
    )) {
      const s = server();
      const before = s.connections;
      const res = await prodFetch({}, { allowLoopback: true })(`http://${host}:${s.port}/`);
      expect(res.status, host).toBe(200);
      await res.text();
      expect(s.connections, host).toBe(before + 1);
    }
    const before = v4.connections;
    await new Promise<void>((resolve, reject) => {
      const sock = net.connect(v4.port, '0.0.0.0', () => {
        sock.destroy();
        resolve();
      });
      sock.on('error', reject);
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(v4.connections).toBe(before + 1); // 0.0.0.0 really does reach the loopback listener
  });

  it.each(['ten.example.com', 'meta.example.com', 'ula.example.com', 'mappedpriv.example.com', 'cgnat.example.com'])(
    '%s (private/link-local/ULA/mapped/CGNAT) → FETCH_UNSAFE_ADDRESS without a connect attempt',
    async (host) => {
      const t0 = Date.now();
      const err = await prodFetch()(`https://${host}/`).catch((e: unknown) => e);
      expect((err as { code?: string }).code).toBe('FETCH_UNSAFE_ADDRESS');
      // A connect attempt to an unroutable address would hang until the timeout; the check runs first.
      expect(Date.now() - t0).toBeLessThan(3000);
    },
  );
});

describe('§2 SSRF via handle resolution (well-known host resolves to a forbidden address)', () => {
  it.each(LOOPBACK_CASES)(
    'handle %s: resolveIdentity → FETCH_UNSAFE_ADDRESS, zero connections',
    async (host, server) => {
      const s = server();
      const before = s.connections;
      // The handle's https://<handle>/ is sent to http://<handle>:<port>/: the name still goes through DNS.
      const fetch = prodFetch({ [host]: `http://${host}:${s.port}` });
      const resolver = createIdentityResolver({ fetch, handleResolver: createWellKnownHandleResolver({ fetch }) });
      expect(await codeOf(resolver.resolveIdentity(host))).toBe('FETCH_UNSAFE_ADDRESS');
      expect(s.connections).toBe(before);
    },
  );
  it.each(['ten.example.com', 'meta.example.com', 'ula.example.com', 'mappedpriv.example.com'])(
    'handle %s → FETCH_UNSAFE_ADDRESS',
    async (host) => {
      const fetch = prodFetch();
      const resolver = createIdentityResolver({ fetch, handleResolver: createWellKnownHandleResolver({ fetch }) });
      expect(await codeOf(resolver.resolveIdentity(host))).toBe('FETCH_UNSAFE_ADDRESS');
    },
  );
});

describe('§2 SSRF: a DID document whose PDS is private', () => {
  const doc = (endpoint: string) => ({
    id: DID,
    alsoKnownAs: ['at://alice.example.com'],
    service: [{ id: '#atproto_pds', type: 'AtprotoPersonalDataServer', serviceEndpoint: endpoint }],
  });
  let current = doc('https://10.0.0.7');
  beforeAll(async () => {
    plc = await startHttp((_req, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(current)),
    );
  });
  // The PLC directory is a trusted, configured service; here it is on loopback, reached by a dev fetch.
  const resolver = (fetch = prodFetch()) =>
    createIdentityResolver({
      fetch,
      didResolver: createDidResolver({
        fetch: createNodeSafeFetch({ allowHttp: true, allowLoopback: true }),
        plcDirectoryUrl: plc.origin,
      }),
    });

  it.each([
    'https://10.0.0.7',
    'https://127.0.0.1',
    'https://[::1]',
    'https://169.254.169.254',
    'https://[fd00::1]',
    'https://[::ffff:10.0.0.7]',
  ])('IP-literal PDS %s → FETCH_UNSAFE_ADDRESS from resolveIdentity', async (endpoint) => {
    current = doc(endpoint);
    expect(await codeOf(resolver().resolveIdentity(DID, { noCache: true }))).toBe('FETCH_UNSAFE_ADDRESS');
  });

  it('a PDS host name resolving to loopback is refused when fetched; zero connections', async () => {
    current = doc('https://pds.evil.example.com');
    const fetch = prodFetch({ 'pds.evil.example.com': `http://pds.evil.example.com:${v4.port}` });
    const id = await resolver(fetch).resolveIdentity(DID, { noCache: true });
    expect(id.pds).toBe('https://pds.evil.example.com');
    const before = v4.connections;
    expect(await codeOf(fetch(`${id.pds}/.well-known/oauth-protected-resource`))).toBe('FETCH_UNSAFE_ADDRESS');
    expect(v4.connections).toBe(before);
  });
});

describe('§2 SSRF: a redirect to a private address', () => {
  let redirector: LoopbackHttp;
  beforeAll(async () => {
    redirector = await startHttp((req, res) => {
      const to = new URL(req.url ?? '/', 'http://x').searchParams.get('to') ?? '/';
      res.writeHead(302, { location: to }).end();
    });
  });
  afterAll(() => redirector.close());

  it('a hop to a name resolving to 0.0.0.0 / 10.x is refused at connect time; no connection to the target', async () => {
    // The first hop is allowed (loopback allowed for the redirector); targets are re-checked.
    const f = prodFetch({}, { allowLoopback: true, maxRedirects: 3 });
    const before = v4.connections;
    for (const to of [`http://zero.example.com:${v4.port}/`, 'http://ten.example.com/', 'http://[fd00::1]/']) {
      expect(await codeOf(f(`${redirector.origin}/?to=${encodeURIComponent(to)}`)), to).toBe('FETCH_UNSAFE_ADDRESS');
    }
    expect(v4.connections).toBe(before);
    expect(redirector.requests.length).toBeGreaterThanOrEqual(3);
  });
  it('in production mode with no redirects allowed, the redirect itself is refused', async () => {
    const f = prodFetch({}, { allowLoopback: true });
    expect(await codeOf(f(`${redirector.origin}/?to=${encodeURIComponent('http://ten.example.com/')}`))).toBe(
      'FETCH_REDIRECT_REFUSED',
    );
  });
});
