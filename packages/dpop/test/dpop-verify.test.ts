import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  computeAth,
  createDpopProof,
  createMemoryReplayCache,
  DpopError,
  type DpopErrorCode,
  generateDpopKey,
  jwkThumbprint,
  type VerifyDpopProofOptions,
  verifyDpopProof,
} from '../src/index.node.js';
import { rawSigner } from './helpers/raw-signer.js';

const NOW = 1_800_000_000;
const HTU = 'https://pds.example/xrpc/com.atproto.repo.createRecord';
const signer = rawSigner();
const header = { typ: 'dpop+jwt', alg: 'ES256', jwk: signer.publicJwk };
const claims = { jti: 'jti-0123456789abcdef', htm: 'POST', htu: HTU, iat: NOW };
const base: VerifyDpopProofOptions = { htm: 'POST', htu: HTU, now: NOW, replayCache: false };

async function codeOf(proof: string, options: Partial<VerifyDpopProofOptions> = {}): Promise<DpopErrorCode | 'OK'> {
  try {
    await verifyDpopProof(proof, { ...base, ...options });
    return 'OK';
  } catch (err) {
    if (err instanceof DpopError) return err.code;
    throw err;
  }
}

describe('DPOP-SRV-01: one negative per verification check, each with its own code', () => {
  it('control: the well-formed proof passes', async () => {
    expect(await codeOf(signer.sign(header, claims))).toBe('OK');
  });

  it('DPOP_MALFORMED: not three parts, bad base64url, not JSON, missing claims, crit, oversize', async () => {
    const good = signer.sign(header, claims);
    const [h, p, s] = good.split('.') as [string, string, string];
    const cases = [
      '',
      `${h}.${p}`,
      `${good}.x`,
      `${h}=.${p}.${s}`,
      `${h}.${p}.${s}+`,
      `${Buffer.from('not json').toString('base64url')}.${p}.${s}`,
      signer.sign(header, { ...claims, jti: undefined }),
      signer.sign(header, { ...claims, iat: 'now' }),
      signer.sign(header, { ...claims, jti: 'x'.repeat(257) }),
      signer.sign(header, '[1,2]'),
      signer.sign({ ...header, crit: ['exp'] }, claims),
      `${h}.${'A'.repeat(9000)}.${s}`,
    ];
    for (const proof of cases) expect(await codeOf(proof), proof.slice(0, 60)).toBe('DPOP_MALFORMED');
  });

  it('DPOP_TYP_INVALID: typ missing or not dpop+jwt', async () => {
    expect(await codeOf(signer.sign({ ...header, typ: 'JWT' }, claims))).toBe('DPOP_TYP_INVALID');
    expect(await codeOf(signer.sign({ alg: 'ES256', jwk: signer.publicJwk }, claims))).toBe('DPOP_TYP_INVALID');
  });

  it('DPOP_ALG_UNSUPPORTED (DPOP-03): none, HS256, and an alg outside the policy', async () => {
    const unsigned = `${Buffer.from(JSON.stringify({ ...header, alg: 'none' })).toString('base64url')}.${Buffer.from(
      JSON.stringify(claims),
    ).toString('base64url')}.`;
    expect(await codeOf(unsigned)).toBe('DPOP_ALG_UNSUPPORTED');
    expect(await codeOf(signer.sign({ ...header, alg: 'HS256' }, claims))).toBe('DPOP_ALG_UNSUPPORTED');
    expect(await codeOf(signer.sign(header, claims), { algs: ['ES384'] })).toBe('DPOP_ALG_UNSUPPORTED');
  });

  it('DPOP_JWK_PRIVATE (DPOP-03): a jwk carrying d is refused even though the signature is valid', async () => {
    expect(await codeOf(signer.sign({ ...header, jwk: signer.privateJwk }, claims))).toBe('DPOP_JWK_PRIVATE');
  });

  it('DPOP_JWK_INVALID: no jwk, wrong curve, a point not on the curve', async () => {
    const { jwk: _j, ...noJwk } = header;
    expect(await codeOf(signer.sign(noJwk, claims))).toBe('DPOP_JWK_INVALID');
    expect(await codeOf(signer.sign({ ...header, jwk: { ...signer.publicJwk, crv: 'P-384' } }, claims))).toBe(
      'DPOP_JWK_INVALID',
    );
    const offCurve = { ...signer.publicJwk, y: Buffer.alloc(32, 1).toString('base64url') };
    expect(await codeOf(signer.sign({ ...header, jwk: offCurve }, claims))).toBe('DPOP_JWK_INVALID');
  });

  it('DPOP_SIGNATURE_INVALID: another key signed it; a DER-encoded signature (DPOP-10)', async () => {
    const other = rawSigner();
    expect(await codeOf(other.sign(header, claims))).toBe('DPOP_SIGNATURE_INVALID');
    expect(await codeOf(signer.sign(header, claims, { der: true }))).toBe('DPOP_SIGNATURE_INVALID');
  });

  it('DPOP_HTM_MISMATCH: method differs (case-sensitive)', async () => {
    expect(await codeOf(signer.sign(header, { ...claims, htm: 'GET' }))).toBe('DPOP_HTM_MISMATCH');
    expect(await codeOf(signer.sign(header, { ...claims, htm: 'post' }))).toBe('DPOP_HTM_MISMATCH');
  });

  it('DPOP_HTU_MISMATCH: another path, host or scheme; not a URL — but query and case are normalised', async () => {
    for (const htu of [
      `${HTU}x`,
      'https://evil.example/xrpc/com.atproto.repo.createRecord',
      HTU.replace('https', 'http'),
      'x',
    ]) {
      expect(await codeOf(signer.sign(header, { ...claims, htu })), htu).toBe('DPOP_HTU_MISMATCH');
    }
    expect(
      await codeOf(
        signer.sign(header, { ...claims, htu: 'HTTPS://PDS.EXAMPLE:443/xrpc/com.atproto.repo.createRecord?a=1' }),
      ),
    ).toBe('OK');
    expect(await codeOf(signer.sign(header, claims), { htu: `${HTU}?cursor=2#frag` })).toBe('OK');
  });

  it('DPOP_IAT_OUT_OF_WINDOW: too old, or in the future beyond the skew', async () => {
    const opts = { maxAgeSeconds: 60, clockSkewSeconds: 5 };
    expect(await codeOf(signer.sign(header, { ...claims, iat: NOW - 66 }), opts)).toBe('DPOP_IAT_OUT_OF_WINDOW');
    expect(await codeOf(signer.sign(header, { ...claims, iat: NOW + 6 }), opts)).toBe('DPOP_IAT_OUT_OF_WINDOW');
    expect(await codeOf(signer.sign(header, { ...claims, iat: NOW - 65 }), opts)).toBe('OK');
    expect(await codeOf(signer.sign(header, { ...claims, iat: NOW + 5 }), opts)).toBe('OK');
  });

  it('DPOP_NONCE_MISSING (NONCE-08): once a nonce is issued, a proof without one is refused', async () => {
    expect(await codeOf(signer.sign(header, claims), { nonce: 'n-current' })).toBe('DPOP_NONCE_MISSING');
  });

  it('DPOP_NONCE_STALE: a nonce the server no longer accepts; current/recent ones and predicates pass', async () => {
    const proof = signer.sign(header, { ...claims, nonce: 'n-old' });
    expect(await codeOf(proof, { nonce: 'n-current' })).toBe('DPOP_NONCE_STALE');
    expect(await codeOf(proof, { nonce: ['n-current', 'n-next'] })).toBe('DPOP_NONCE_STALE');
    expect(await codeOf(proof, { nonce: ['n-current', 'n-old'] })).toBe('OK');
    expect(await codeOf(proof, { nonce: async (n) => n.startsWith('n-') })).toBe('OK');
    expect(await codeOf(proof, { nonce: () => false })).toBe('DPOP_NONCE_STALE');
  });

  it('DPOP_ATH_MISMATCH (DPOP-06): ath missing, or hashing another token', async () => {
    expect(await codeOf(signer.sign(header, claims), { accessToken: 'tok' })).toBe('DPOP_ATH_MISMATCH');
    const ath = await computeAth('other-token');
    expect(await codeOf(signer.sign(header, { ...claims, ath }), { accessToken: 'tok' })).toBe('DPOP_ATH_MISMATCH');
    expect(await codeOf(signer.sign(header, { ...claims, ath: await computeAth('tok') }), { accessToken: 'tok' })).toBe(
      'OK',
    );
  });

  it('DPOP_JKT_MISMATCH: the token is bound to another key', async () => {
    const proof = signer.sign(header, claims);
    expect(await codeOf(proof, { jkt: await jwkThumbprint(rawSigner().publicJwk) })).toBe('DPOP_JKT_MISMATCH');
    expect(await codeOf(proof, { jkt: await jwkThumbprint(signer.publicJwk) })).toBe('OK');
  });

  it('DPOP_JTI_REPLAY (DPOP-SRV-02): the identical proof twice; a new jti is fine', async () => {
    const replayCache = createMemoryReplayCache();
    const proof = signer.sign(header, claims);
    expect(await codeOf(proof, { replayCache })).toBe('OK');
    expect(await codeOf(proof, { replayCache })).toBe('DPOP_JTI_REPLAY');
    expect(await codeOf(signer.sign(header, { ...claims, jti: 'another-jti-value' }), { replayCache })).toBe('OK');
  });

  it('DPOP_INVALID_OPTIONS: replay detection is opt-out only, and options are checked', async () => {
    const proof = signer.sign(header, claims);
    expect(await codeOf(proof, { replayCache: undefined as never })).toBe('DPOP_INVALID_OPTIONS');
    expect(await codeOf(proof, { replayCache: {} as never })).toBe('DPOP_INVALID_OPTIONS');
    expect(await codeOf(proof, { maxAgeSeconds: -1 })).toBe('DPOP_INVALID_OPTIONS');
    expect(await codeOf(proof, { htm: '' })).toBe('DPOP_INVALID_OPTIONS');
  });

  it('checks run in a fixed order: a bad signature is reported before a bad htm', async () => {
    expect(await codeOf(rawSigner().sign(header, { ...claims, htm: 'GET' }))).toBe('DPOP_SIGNATURE_INVALID');
  });

  it('RSA keys: PS256 and RS256 verify when the policy allows them', async () => {
    const rsa = rawSigner('rsa');
    const pss = rsa.sign({ typ: 'dpop+jwt', alg: 'PS256', jwk: rsa.publicJwk }, claims, { pss: true });
    const pkcs = rsa.sign({ typ: 'dpop+jwt', alg: 'RS256', jwk: rsa.publicJwk }, claims);
    expect(await codeOf(pss, { algs: ['PS256'] })).toBe('OK');
    expect(await codeOf(pkcs, { algs: ['RS256'] })).toBe('OK');
    expect(await codeOf(pkcs)).toBe('DPOP_ALG_UNSUPPORTED');
    expect(
      await codeOf(rsa.sign({ typ: 'dpop+jwt', alg: 'RS256', jwk: rsa.privateJwk }, claims), { algs: ['RS256'] }),
    ).toBe('DPOP_JWK_PRIVATE');
  });
});

describe('DPOP-SRV-02: the memory replay cache', () => {
  it('forgets entries after their expiry and stays within max', async () => {
    const cache = createMemoryReplayCache({ max: 3 });
    expect(cache.add('a', 100, 50)).toBe(true);
    expect(cache.add('a', 100, 99)).toBe(false);
    expect(cache.add('a', 200, 101)).toBe(true); // expired at 101, so accepted again
    for (const k of ['b', 'c', 'd']) expect(cache.add(k, 500, 101)).toBe(true);
    // 'a' (the oldest) was dropped to stay at 3 entries; the newest are still refused
    expect(cache.add('d', 500, 102)).toBe(false);
    expect(cache.add('a', 500, 102)).toBe(true);
    expect(() => createMemoryReplayCache({ max: 0 })).toThrow(DpopError);
  });
});

describe('property: tampering with any byte of a valid proof makes verification fail', () => {
  it('flip one byte anywhere (header, payload, signature, separators) → DpopError', async () => {
    const key = await generateDpopKey();
    const proof = await createDpopProof(key, { htm: 'GET', htu: HTU, nonce: 'nonce-1', accessToken: 'tok', now: NOW });
    const opts = { ...base, htm: 'GET', nonce: 'nonce-1', accessToken: 'tok' };
    await expect(verifyDpopProof(proof, opts)).resolves.toBeDefined();
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: proof.length - 1 }), fc.integer({ min: 1, max: 255 }), async (at, mask) => {
        const flipped = proof.slice(0, at) + String.fromCharCode(proof.charCodeAt(at) ^ mask) + proof.slice(at + 1);
        const err = await verifyDpopProof(flipped, opts).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(DpopError);
      }),
      { numRuns: 500 },
    );
  });
});
