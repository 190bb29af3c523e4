import fc from 'fast-check';
import { EmbeddedJWK, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  computeAth,
  createDpopProof,
  createMemoryReplayCache,
  DpopError,
  type DpopPrivateJwk,
  exportDpopKey,
  htuOf,
  jwkThumbprint,
  verifyDpopProof,
} from '../src/index.js';
import { decodeProof, PLATFORMS } from './helpers/platforms.js';

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'];

describe.each(PLATFORMS)('client proofs — $name', ({ generateDpopKey, importDpopKey }) => {
  it('DPOP-01: generates ES256 (P-256) keys by default; the RFC 7638 jkt matches the public JWK', async () => {
    const key = await generateDpopKey();
    expect(key.alg).toBe('ES256');
    expect(key.publicJwk.crv).toBe('P-256');
    expect(key.jkt).toBe(await jwkThumbprint(key.publicJwk));
    expect(key.jkt).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('DPOP-01: ES384 and ES512 keys sign proofs that verify; unknown algs are refused', async () => {
    for (const alg of ['ES384', 'ES512'] as const) {
      const key = await generateDpopKey({ alg });
      const proof = await createDpopProof(key, { htm: 'GET', htu: 'https://pds.x/a' });
      const out = await verifyDpopProof(proof, { htm: 'GET', htu: 'https://pds.x/a', algs: [alg], replayCache: false });
      expect(out.header.alg).toBe(alg);
    }
    await expect(generateDpopKey({ alg: 'HS256' as never })).rejects.toMatchObject({ code: 'DPOP_ALG_UNSUPPORTED' });
  });

  it('DPOP-03: header is typ dpop+jwt, alg ES256, and a public-only jwk; no private member anywhere public', async () => {
    const key = await generateDpopKey();
    const { header } = decodeProof(await createDpopProof(key, { htm: 'POST', htu: 'https://as.x/token' }));
    expect(header).toEqual({ typ: 'dpop+jwt', alg: 'ES256', jwk: key.publicJwk });
    expect(Object.keys(header.jwk as object).sort()).toEqual(['crv', 'kty', 'x', 'y']);
    for (const m of PRIVATE_MEMBERS) {
      expect(header.jwk).not.toHaveProperty(m);
      expect(key.publicJwk).not.toHaveProperty(m);
    }
    // the key object itself serialises without its private half
    expect(JSON.stringify(key)).not.toMatch(/"d"/);
    expect(Object.isFrozen(key) && Object.isFrozen(key.publicJwk)).toBe(true);
  });

  it('DPOP-04: htu drops query and fragment; htm, iat, jti as required', async () => {
    const key = await generateDpopKey();
    const before = Math.floor(Date.now() / 1000);
    const proof = await createDpopProof(key, { htm: 'GET', htu: 'https://pds.x/xrpc/a.b.c?x=1#f' });
    const { payload } = decodeProof(proof);
    expect(payload.htu).toBe('https://pds.x/xrpc/a.b.c');
    expect(payload.htm).toBe('GET');
    expect(payload.iat).toBeGreaterThanOrEqual(before);
    expect(payload.iat).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));
    expect(payload).not.toHaveProperty('nonce');
    expect(payload).not.toHaveProperty('ath');
    const fixed = decodeProof(await createDpopProof(key, { htm: 'GET', htu: new URL('https://pds.x/'), now: 1700 }));
    expect(fixed.payload.iat).toBe(1700);
  });

  it('DPOP-04: 10 000 jti values are unique and carry ≥ 128 bits (24 base64url chars = 144 bits)', async () => {
    const key = await generateDpopKey();
    const seen = new Set<string>();
    for (let i = 0; i < 10_000; i++) {
      const { payload } = decodeProof(await createDpopProof(key, { htm: 'GET', htu: 'https://pds.x/' }));
      const jti = payload.jti as string;
      expect(jti).toMatch(/^[A-Za-z0-9_-]{24}$/);
      seen.add(jti);
    }
    expect(seen.size).toBe(10_000);
  });

  it('DPOP-05: a known nonce goes into the proof', async () => {
    const key = await generateDpopKey();
    const { payload } = decodeProof(
      await createDpopProof(key, { htm: 'POST', htu: 'https://as.x/par', nonce: 'eyJ7S_zG.eyJH0-Z.HX4w-7v' }),
    );
    expect(payload.nonce).toBe('eyJ7S_zG.eyJH0-Z.HX4w-7v');
  });

  it('DPOP-06: ath = base64url(SHA-256(token)), from the token or a precomputed value', async () => {
    const key = await generateDpopKey();
    const token = 'at-123.xyz';
    const ath = await computeAth(token);
    const a = decodeProof(await createDpopProof(key, { htm: 'GET', htu: 'https://pds.x/', accessToken: token }));
    const b = decodeProof(await createDpopProof(key, { htm: 'GET', htu: 'https://pds.x/', ath }));
    expect(a.payload.ath).toBe(ath);
    expect(b.payload.ath).toBe(ath);
    await expect(computeAth('')).rejects.toMatchObject({ code: 'DPOP_INVALID_OPTIONS' });
  });

  it('DPOP-10: the ES256 signature is the 64-byte r‖s form', async () => {
    const key = await generateDpopKey();
    const { signature } = decodeProof(await createDpopProof(key, { htm: 'GET', htu: 'https://pds.x/' }));
    expect(signature.length).toBe(64);
  });

  it('our proofs verify with jose jwtVerify (independent check) and with verifyDpopProof', async () => {
    const key = await generateDpopKey();
    const proof = await createDpopProof(key, { htm: 'POST', htu: 'https://as.x/token', nonce: 'n1', accessToken: 't' });
    const { payload, protectedHeader } = await jwtVerify(proof, EmbeddedJWK, {
      typ: 'dpop+jwt',
      algorithms: ['ES256'],
    });
    expect(protectedHeader.jwk).toEqual(key.publicJwk);
    expect(payload).toMatchObject({ htm: 'POST', htu: 'https://as.x/token', nonce: 'n1' });
    const out = await verifyDpopProof(proof, {
      htm: 'POST',
      htu: 'https://as.x/token',
      nonce: 'n1',
      accessToken: 't',
      jkt: key.jkt,
      replayCache: createMemoryReplayCache(),
    });
    expect(out.jkt).toBe(key.jkt);
  });

  it('exportDpopKey → importDpopKey restores the same key; proofs from the restored key verify', async () => {
    const key = await generateDpopKey();
    const jwk = await exportDpopKey(key);
    expect(jwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', x: key.publicJwk.x, y: key.publicJwk.y });
    expect(jwk.d).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const restored = await importDpopKey(JSON.parse(JSON.stringify(jwk)));
    expect(restored.jkt).toBe(key.jkt);
    expect(restored.header).toBe(key.header);
    const proof = await createDpopProof(restored, { htm: 'GET', htu: 'https://pds.x/' });
    await expect(
      verifyDpopProof(proof, { htm: 'GET', htu: 'https://pds.x/', jkt: key.jkt, replayCache: false }),
    ).resolves.toBeDefined();
  });

  it('importDpopKey refuses a public-only JWK, a mismatched d, and junk, with DPOP_KEY_INVALID', async () => {
    const jwk = await exportDpopKey(await generateDpopKey());
    const other = await exportDpopKey(await generateDpopKey());
    const { d: _d, ...pub } = jwk;
    const cases: unknown[] = [pub, { ...jwk, d: other.d }, { ...jwk, crv: 'P-384' }, { ...jwk, kty: 'RSA' }, null, 'x'];
    for (const bad of cases) {
      const err = await importDpopKey(bad as DpopPrivateJwk).catch((e: unknown) => e);
      expect(err, JSON.stringify(bad)).toBeInstanceOf(DpopError);
      expect((err as DpopError).code).toBe('DPOP_KEY_INVALID');
    }
    await expect(exportDpopKey({} as never)).rejects.toMatchObject({ code: 'DPOP_KEY_INVALID' });
  });

  it('createDpopProof refuses bad htm, htu, nonce and now with typed errors', async () => {
    const key = await generateDpopKey();
    const base = { htm: 'GET', htu: 'https://pds.x/' };
    await expect(createDpopProof(key, { ...base, htm: 'G ET' })).rejects.toMatchObject({
      code: 'DPOP_INVALID_OPTIONS',
    });
    await expect(createDpopProof(key, { ...base, htu: 'ftp://x/' })).rejects.toMatchObject({
      code: 'DPOP_REQUEST_INVALID',
    });
    await expect(createDpopProof(key, { ...base, htu: '/relative' })).rejects.toMatchObject({
      code: 'DPOP_REQUEST_INVALID',
    });
    await expect(createDpopProof(key, { ...base, nonce: 'a"b' })).rejects.toMatchObject({
      code: 'DPOP_INVALID_OPTIONS',
    });
    await expect(createDpopProof(key, { ...base, ath: 'é'.repeat(43) })).rejects.toMatchObject({
      code: 'DPOP_INVALID_OPTIONS',
    });
    await expect(createDpopProof(key, { ...base, now: Number.NaN })).rejects.toMatchObject({
      code: 'DPOP_INVALID_OPTIONS',
    });
  });
});

describe('web and node builds agree', () => {
  it('a key made by one build is exported, imported by the other, and both sign verifiable proofs', async () => {
    const [web, node] = PLATFORMS;
    const fromWeb = await web.generateDpopKey();
    const inNode = await node.importDpopKey(await exportDpopKey(fromWeb));
    const backInWeb = await web.importDpopKey(await exportDpopKey(inNode));
    expect(new Set([fromWeb.jkt, inNode.jkt, backInWeb.jkt]).size).toBe(1);
    expect(inNode.header).toBe(fromWeb.header);
    for (const k of [fromWeb, inNode, backInWeb]) {
      const proof = await createDpopProof(k, { htm: 'GET', htu: 'https://pds.x/' });
      await expect(
        verifyDpopProof(proof, { htm: 'GET', htu: 'https://pds.x/', replayCache: false }),
      ).resolves.toMatchObject({ jkt: fromWeb.jkt });
    }
  });
});

describe('htuOf (DPOP-04 normalisation)', () => {
  it('lower-cases scheme and host, drops default ports, query, fragment; keeps the path', () => {
    expect(htuOf('HTTPS://PDS.Example:443/xrpc/A.b?x=1#y')).toBe('https://pds.example/xrpc/A.b');
    expect(htuOf('http://127.0.0.1:8080/a/../b')).toBe('http://127.0.0.1:8080/b');
    expect(htuOf(new URL('https://x.test'))).toBe('https://x.test/');
  });

  it('property: htuOf never contains ? or # and is idempotent', () => {
    fc.assert(
      fc.property(fc.webUrl({ withQueryParameters: true, withFragments: true }), (url) => {
        const htu = htuOf(url);
        expect(htu).not.toMatch(/[?#]/);
        expect(htuOf(htu)).toBe(htu);
      }),
    );
  });
});
