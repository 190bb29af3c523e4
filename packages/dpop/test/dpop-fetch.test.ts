import { afterEach, describe, expect, it, vi } from 'vitest';
import { generateDpopKey as generateWebKey } from '../src/index.js';
import {
  createDpopFetch,
  createMemoryNonceStore,
  DpopError,
  type DpopKey,
  generateDpopKey,
  type NonceStore,
  withNonceCoalescing,
} from '../src/index.node.js';
import { type DpopServer, type DpopServerOptions, startDpopServer } from './helpers/dpop-server.js';

const servers: DpopServer[] = [];
async function server(options: DpopServerOptions) {
  const s = await startDpopServer(options);
  servers.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

function plainStore(): NonceStore & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return { map, get: (o) => map.get(o), set: (o, n) => void map.set(o, n) };
}

function allJtisDistinct(s: DpopServer) {
  const jtis = s.requests.map((r) => r.jti);
  expect(jtis.every((j) => typeof j === 'string')).toBe(true);
  expect(new Set(jtis).size).toBe(jtis.length); // DPOP-07: a fresh proof per request, retries included
}

describe.each([
  { name: 'node key', make: () => generateDpopKey() },
  { name: 'web key', make: () => generateWebKey() },
])('createDpopFetch against a loopback server — $name', ({ make }) => {
  let key: DpopKey;

  it('NONCE-01: AS form (400 JSON use_dpop_nonce) — stores the nonce, retries once, caller sees the 200', async () => {
    key = await make();
    const as = await server({ form: 'as' });
    const nonces = createMemoryNonceStore();
    const fetch = createDpopFetch({ key, nonces });
    const res = await fetch(as.url('/oauth/par'), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: 'https://app.example/client-metadata.json' }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      ok: true,
      body: 'client_id=https%3A%2F%2Fapp.example%2Fclient-metadata.json',
    });
    expect(as.requests.map((r) => [r.status, r.nonce])).toEqual([
      [400, undefined],
      [200, as.state.nonce],
    ]);
    expect(as.requests[1]?.body).toBe(as.requests[0]?.body); // the same body, replayed
    expect(await nonces.get(as.origin)).toBe(as.state.nonce);
    allJtisDistinct(as);
  });

  it('NONCE-02 / DPOP-06: RS form (401 WWW-Authenticate) — Authorization: DPoP, ath checked, one retry', async () => {
    key = await make();
    const rs = await server({ form: 'rs', accessToken: 'access-1' });
    const fetch = createDpopFetch({ key, nonces: createMemoryNonceStore(), accessToken: 'access-1' });
    const res = await fetch(rs.url('/xrpc/app.bsky.actor.getProfile?actor=alice.test'));
    expect(res.status).toBe(200);
    expect(rs.requests.map((r) => r.status)).toEqual([401, 200]);
    for (const r of rs.requests) {
      expect(r.authorization).toBe('DPoP access-1'); // never Bearer
      expect(r.dpopCount).toBe(1); // DPOP-08
    }
    allJtisDistinct(rs);
  });

  it('NONCE-03: a nonce on a 200 (any header case) is stored and used next time, with no extra round trip', async () => {
    key = await make();
    const as = await server({ form: 'as', nonceHeaderName: 'dPoP-nOnCe' });
    const nonces = createMemoryNonceStore();
    const fetch = createDpopFetch({ key, nonces });
    await fetch(as.url('/a'), { method: 'POST', body: 'x' }); // 400 + retry → learns nonce-1
    const rotated = as.rotate();
    await nonces.set(as.origin, 'stale'); // simulate an older value; a 200 must overwrite it
    as.requests.length = 0;
    // the server now rejects 'stale' with the rotated nonce → one retry, then the 200 keeps it current
    expect((await fetch(as.url('/b'))).status).toBe(200);
    expect(await nonces.get(as.origin)).toBe(rotated);
    as.requests.length = 0;
    expect((await fetch(as.url('/c'))).status).toBe(200);
    expect(as.requests.map((r) => [r.status, r.nonce])).toEqual([[200, rotated]]); // DPOP-05
  });

  it('NONCE-04: nonces are kept per origin — each server gets its own', async () => {
    key = await make();
    const as = await server({ form: 'as' });
    const rs = await server({ form: 'rs', accessToken: 't' });
    as.rotate();
    rs.rotate();
    rs.rotate();
    const nonces = createMemoryNonceStore();
    const asFetch = createDpopFetch({ key, nonces });
    const rsFetch = createDpopFetch({ key, nonces, accessToken: 't' });
    expect((await asFetch(as.url('/token'), { method: 'POST', body: 'grant' })).status).toBe(200);
    expect((await rsFetch(rs.url('/xrpc/x'))).status).toBe(200);
    expect((await asFetch(as.url('/token'), { method: 'POST', body: 'grant' })).status).toBe(200);
    expect((await rsFetch(rs.url('/xrpc/x'))).status).toBe(200);
    expect(as.requests.at(-1)?.nonce).toBe(as.state.nonce);
    expect(rs.requests.at(-1)?.nonce).toBe(rs.state.nonce);
    expect(as.state.nonce).not.toBe(rs.state.nonce);
    expect(as.requests).toHaveLength(3);
    expect(rs.requests).toHaveLength(3);
  });

  it('NONCE-05: a second use_dpop_nonce is returned, not looped on — exactly 2 requests, body intact', async () => {
    key = await make();
    for (const form of ['as', 'rs'] as const) {
      const s = await server({ form, alwaysDemand: true, accessToken: 't' });
      const fetch = createDpopFetch({ key, nonces: createMemoryNonceStore(), accessToken: 't' });
      const res = await fetch(s.url('/token'), { method: 'POST', body: 'a=1' });
      expect(res.status).toBe(form === 'as' ? 400 : 401);
      if (form === 'as') expect(await res.json()).toMatchObject({ error: 'use_dpop_nonce' });
      else expect(res.headers.get('www-authenticate')).toContain('use_dpop_nonce');
      expect(s.requests).toHaveLength(2);
      allJtisDistinct(s);
    }
  });

  it('NONCE-06: rotation mid-burst — every request succeeds, each retried at most once', async () => {
    key = await make();
    const rs = await server({ form: 'rs', accessToken: 't', delayMs: 20, rotateAfter: 4 });
    const nonces = createMemoryNonceStore();
    const fetch = createDpopFetch({ key, nonces, accessToken: 't' });
    await fetch(rs.url('/warmup')); // learn the first nonce
    rs.requests.length = 0;
    const N = 10;
    const results = await Promise.all(Array.from({ length: N }, (_, i) => fetch(rs.url(`/xrpc/q${i}`))));
    expect(results.map((r) => r.status)).toEqual(Array(N).fill(200));
    const perPath = new Map<string, number>();
    for (const r of rs.requests) perPath.set(r.path, (perPath.get(r.path) ?? 0) + 1);
    expect(Math.max(...perPath.values())).toBeLessThanOrEqual(2);
    const retried = [...perPath.values()].filter((n) => n === 2).length;
    expect(retried).toBeGreaterThan(0); // the rotation really happened mid-burst
    expect(rs.requests.length).toBe(N + retried);
    allJtisDistinct(rs);
  });

  it('a non-replayable body (ReadableStream) is sent once; the nonce error reaches the caller', async () => {
    key = await make();
    const as = await server({ form: 'as' });
    const nonces = createMemoryNonceStore();
    const fetch = createDpopFetch({ key, nonces });
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode('streamed=1'));
        c.close();
      },
    });
    const res = await fetch(as.url('/upload'), { method: 'POST', body, duplex: 'half' } as RequestInit);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'use_dpop_nonce' });
    expect(as.requests).toHaveLength(1);
    expect(as.requests[0]?.body).toBe('streamed=1');
    // the nonce was still learned, so the caller's own retry needs one round trip
    expect(await nonces.get(as.origin)).toBe(as.state.nonce);
    const again = await fetch(as.url('/upload'), { method: 'POST', body: 'streamed=1' });
    expect(again.status).toBe(200);
    expect(as.requests).toHaveLength(2);
  });

  it('coalescing: N concurrent first requests to an unknown origin cost N + 1 round trips, not 2N', async () => {
    key = await make();
    const as = await server({ form: 'as', delayMs: 15 });
    const fetch = createDpopFetch({ key, nonces: createMemoryNonceStore() });
    const N = 12;
    const results = await Promise.all(
      Array.from({ length: N }, (_, i) => fetch(as.url(`/r${i}`), { method: 'POST', body: `n=${i}` })),
    );
    expect(results.map((r) => r.status)).toEqual(Array(N).fill(200));
    expect(as.requests.length).toBe(N + 1);
    expect(as.requests.filter((r) => r.status === 400)).toHaveLength(1);
    allJtisDistinct(as);
  });

  it('coalescing spans sessions sharing one store (two keys, one nonce store) — also for a wrapped custom store', async () => {
    const other = await make();
    key = await make();
    for (const nonces of [createMemoryNonceStore(), withNonceCoalescing(plainStore())]) {
      const rs = await server({ form: 'rs', accessToken: 't', delayMs: 15 });
      const a = createDpopFetch({ key, nonces, accessToken: 't' });
      const b = createDpopFetch({ key: other, nonces, accessToken: 't' });
      const N = 10;
      const results = await Promise.all(Array.from({ length: N }, (_, i) => (i % 2 ? a : b)(rs.url(`/x${i}`))));
      expect(results.every((r) => r.status === 200)).toBe(true);
      expect(rs.requests.length).toBe(N + 1);
    }
  });

  it('a store without a gate is coalesced per wrapper', async () => {
    key = await make();
    const as = await server({ form: 'as', delayMs: 15 });
    const fetch = createDpopFetch({ key, nonces: plainStore() });
    const N = 6;
    await Promise.all(Array.from({ length: N }, (_, i) => fetch(as.url(`/r${i}`), { method: 'POST', body: 'x' })));
    expect(as.requests.length).toBe(N + 1);
  });
});

describe('createDpopFetch — request shapes (oauth4webapi customFetch, XRPC fetch handlers)', () => {
  it('Request objects, URL objects, header records / arrays / Headers and byte bodies all work', async () => {
    const key = await generateDpopKey();
    const as = await server({ form: 'as' });
    const fetch = createDpopFetch({ key, nonces: createMemoryNonceStore() });
    // GET Request without body: replayable, retried
    const r1 = await fetch(new Request(as.url('/req'), { headers: { 'x-test': 'req' } }));
    expect(r1.status).toBe(200);
    expect(as.requests.map((r) => r.headers['x-test'])).toEqual(['req', 'req']);
    as.requests.length = 0;
    const r2 = await fetch(new URL(as.url('/url?q=1')), { headers: [['x-test', 'arr']] });
    const r3 = await fetch(as.url('/h'), { headers: new Headers({ 'x-test': 'hdrs' }) });
    const bytes = new TextEncoder().encode('bytes-body');
    const r4 = await fetch(as.url('/bytes'), { method: 'put', body: bytes });
    expect([r2.status, r3.status, r4.status]).toEqual([200, 200, 200]);
    expect(as.requests.map((r) => [r.method, r.path, r.headers['x-test'] ?? r.body])).toEqual([
      ['GET', '/url?q=1', 'arr'],
      ['GET', '/h', 'hdrs'],
      ['PUT', '/bytes', 'bytes-body'], // the method is normalised as fetch does (htm matches)
    ]);
  });

  it('a Request carrying a body is not replayed: one request, the nonce error is returned', async () => {
    const key = await generateDpopKey();
    const as = await server({ form: 'as' });
    const fetch = createDpopFetch({ key, nonces: createMemoryNonceStore() });
    const res = await fetch(new Request(as.url('/par'), { method: 'POST', body: 'a=1' }));
    expect(res.status).toBe(400);
    expect(as.requests).toHaveLength(1);
  });

  it('DPOP-08: a DPoP header the caller set is replaced, never duplicated; DPOP-09: every request has one', async () => {
    const key = await generateDpopKey();
    const as = await server({ form: 'as' });
    const fetch = createDpopFetch({ key, nonces: createMemoryNonceStore() });
    await fetch(as.url('/t'), { method: 'POST', body: 'x', headers: { DPoP: 'caller-value' } });
    expect(as.requests.length).toBe(2);
    for (const r of as.requests) {
      expect(r.dpopCount).toBe(1);
      expect(r.headers.dpop).not.toBe('caller-value');
    }
  });

  it('accessToken as a function is read per request (refreshed tokens are picked up)', async () => {
    const key = await generateDpopKey();
    const rs = await server({ form: 'rs', accessToken: 'tok-1' });
    let current = 'tok-1';
    const fetch = createDpopFetch({ key, nonces: createMemoryNonceStore(), accessToken: async () => current });
    expect((await fetch(rs.url('/a'))).status).toBe(200);
    current = 'tok-2';
    const res = await fetch(rs.url('/b'));
    expect(res.status).toBe(401); // the server still expects tok-1: the new token really was sent
    expect(rs.requests.at(-1)?.authorization).toBe('DPoP tok-2');
  });

  it('DPOP-06: without accessToken, a caller-set "Authorization: DPoP <token>" still gets its ath', async () => {
    const key = await generateDpopKey();
    const rs = await server({ form: 'rs', accessToken: 'tok-x' });
    const fetch = createDpopFetch({ key, nonces: createMemoryNonceStore() });
    const res = await fetch(rs.url('/a'), { headers: { authorization: 'DPoP tok-x' } });
    expect(res.status).toBe(200); // the server's verifyDpopProof checked ath against tok-x
  });

  it('baseUrl resolves relative URLs (XRPC fetch handlers); without it they are refused', async () => {
    const key = await generateDpopKey();
    const as = await server({ form: 'as', nonces: false });
    const fetch = createDpopFetch({ key, nonces: createMemoryNonceStore(), baseUrl: as.origin });
    expect((await fetch('/xrpc/_health')).status).toBe(200);
    const bare = createDpopFetch({ key, nonces: createMemoryNonceStore() });
    await expect(bare('/xrpc/_health')).rejects.toMatchObject({ code: 'DPOP_REQUEST_INVALID' });
    await expect(bare('ftp://127.0.0.1/x')).rejects.toBeInstanceOf(DpopError);
  });

  it('a server without nonces: no retry, no waiting once probed', async () => {
    const key = await generateDpopKey();
    const as = await server({ form: 'as', nonces: false, delayMs: 10 });
    const fetch = createDpopFetch({ key, nonces: createMemoryNonceStore() });
    const N = 5;
    const res = await Promise.all(Array.from({ length: N }, () => fetch(as.url('/x'))));
    expect(res.every((r) => r.status === 200)).toBe(true);
    expect(as.requests).toHaveLength(N);
    expect(as.requests.every((r) => r.nonce === undefined)).toBe(true);
  });

  it('a malformed DPoP-Nonce header is ignored and logged, not stored', async () => {
    const key = await generateDpopKey();
    const nonces = createMemoryNonceStore();
    const warn = vi.fn();
    const fake = async () => new Response('{}', { status: 200, headers: { 'DPoP-Nonce': 'bad nonce "x"' } });
    const fetch = createDpopFetch({ key, nonces, fetch: fake, logger: { warn } });
    await fetch('https://as.example/x');
    expect(await nonces.get('https://as.example')).toBeUndefined();
    expect(warn).toHaveBeenCalledOnce();
  });

  it('a request waiting for the probe honours its AbortSignal', async () => {
    const key = await generateDpopKey();
    const as = await server({ form: 'as', delayMs: 200 });
    const fetch = createDpopFetch({ key, nonces: createMemoryNonceStore() });
    const probe = fetch(as.url('/slow'));
    const controller = new AbortController();
    const waiter = fetch(as.url('/waiter'), { signal: controller.signal });
    controller.abort(new Error('user cancelled'));
    await expect(waiter).rejects.toThrow('user cancelled');
    expect((await probe).status).toBe(200);
  });

  it('refuses missing key or nonce store with DPOP_INVALID_OPTIONS', () => {
    expect(() => createDpopFetch({ key: {} as never, nonces: createMemoryNonceStore() })).toThrow(DpopError);
    expect(() => createDpopFetch({ key: { sign: () => '', header: 'h' } as never, nonces: {} as never })).toThrow(
      /nonce store/,
    );
  });
});
