import { describe, expect, it } from 'vitest';
import { computeAth, createMemoryReplayCache, DpopError, jwkThumbprint, verifyDpopProof } from '../src/index.js';
import { thumbprintInput } from '../src/jwk-thumbprint.js';
import {
  ACCESS_TOKEN,
  ACCESS_TOKEN_ATH,
  PROOF_A,
  PROOF_A_IAT,
  PROOF_B,
  PROOF_B_IAT,
  PROOF_C,
  PROOF_C_IAT,
  RFC7638_RSA_JWK,
  RFC7638_THUMBPRINT,
  RFC9449_JKT,
  RFC9449_JWK,
  RFC9449_THUMBPRINT_INPUT,
} from './helpers/vectors.js';

describe('RFC 7638 §3.1 thumbprint vector (§4.2)', () => {
  it('the RSA example key hashes to the published thumbprint; alg and kid do not count', async () => {
    expect(await jwkThumbprint(RFC7638_RSA_JWK)).toBe(RFC7638_THUMBPRINT);
    const { alg: _a, kid: _k, ...bare } = RFC7638_RSA_JWK;
    expect(await jwkThumbprint(bare)).toBe(RFC7638_THUMBPRINT);
    expect(thumbprintInput(RFC7638_RSA_JWK)).toBe(`{"e":"AQAB","kty":"RSA","n":"${RFC7638_RSA_JWK.n}"}`);
  });

  it('refuses a key missing a required member', async () => {
    await expect(jwkThumbprint({ kty: 'EC', crv: 'P-256', x: 'abc' })).rejects.toMatchObject({
      code: 'DPOP_KEY_INVALID',
    });
  });
});

describe('RFC 9449 vectors (§4.3)', () => {
  it('the example EC key: thumbprint input and jkt', async () => {
    expect(thumbprintInput(RFC9449_JWK)).toBe(RFC9449_THUMBPRINT_INPUT);
    expect(await jwkThumbprint(RFC9449_JWK)).toBe(RFC9449_JKT);
  });

  it('DPOP-06: the example access token hashes to the published ath', async () => {
    expect(await computeAth(ACCESS_TOKEN)).toBe(ACCESS_TOKEN_ATH);
  });

  it('proof A (token request) verifies with now = its iat', async () => {
    const out = await verifyDpopProof(PROOF_A, {
      htm: 'POST',
      htu: 'https://server.example.com/token',
      now: PROOF_A_IAT,
      replayCache: createMemoryReplayCache(),
    });
    expect(out.jkt).toBe(RFC9449_JKT);
    expect(out.claims).toEqual({
      jti: '-BwC3ESc6acc2lTc',
      htm: 'POST',
      htu: 'https://server.example.com/token',
      iat: PROOF_A_IAT,
    });
    expect(out.header.alg).toBe('ES256');
  });

  it('proof B (refresh) verifies alone, and is a replay once proof A was seen (DPOP-SRV-02)', async () => {
    const opts = { htm: 'POST', htu: 'https://server.example.com/token', now: PROOF_B_IAT };
    await expect(verifyDpopProof(PROOF_B, { ...opts, replayCache: createMemoryReplayCache() })).resolves.toMatchObject({
      jkt: RFC9449_JKT,
    });
    const cache = createMemoryReplayCache();
    // a window wide enough for A (iat 2680 s earlier) to still be remembered when B arrives
    const wide = { ...opts, maxAgeSeconds: 3600, replayCache: cache };
    await verifyDpopProof(PROOF_A, wide);
    const err = await verifyDpopProof(PROOF_B, wide).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DpopError);
    expect((err as DpopError).code).toBe('DPOP_JTI_REPLAY');
  });

  it('proof C (resource request) verifies with its access token and jkt binding', async () => {
    const out = await verifyDpopProof(PROOF_C, {
      htm: 'GET',
      htu: 'https://resource.example.org/protectedresource',
      now: PROOF_C_IAT,
      accessToken: ACCESS_TOKEN,
      jkt: RFC9449_JKT,
      replayCache: createMemoryReplayCache(),
    });
    expect(out.claims.ath).toBe(ACCESS_TOKEN_ATH);
  });

  it('the RFC proofs are rejected at the real clock (iat from 2019)', async () => {
    await expect(
      verifyDpopProof(PROOF_A, { htm: 'POST', htu: 'https://server.example.com/token', replayCache: false }),
    ).rejects.toMatchObject({ code: 'DPOP_IAT_OUT_OF_WINDOW' });
  });
});
