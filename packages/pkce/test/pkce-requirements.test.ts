import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeChallenge, generatePkce, PkceError, verifyPkce } from '../src/index.js';

const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';
const VERIFIER_RE = /^[A-Za-z0-9._~-]{43,128}$/;

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(PkceError);
    return (err as PkceError).code;
  }
  throw new Error('expected a PkceError');
}

describe('PKCE-01: verifiers are fresh, CSPRNG-made, 43..128 unreserved chars', () => {
  it('a default verifier is 43 chars of the unreserved alphabet, method S256', async () => {
    const p = await generatePkce();
    expect(p.verifier).toMatch(VERIFIER_RE);
    expect(p.verifier).toHaveLength(43);
    expect(p.method).toBe('S256');
  });

  it('10,000 verifiers are all distinct', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 10_000; i++) seen.add((await generatePkce()).verifier);
    expect(seen.size).toBe(10_000);
  });

  it('property: any byteLength 32..96 gives a verifier inside the length and alphabet bounds', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 32, max: 96 }), async (n) => {
        const { verifier } = await generatePkce({ byteLength: n });
        expect(verifier).toMatch(VERIFIER_RE);
        expect(verifier.length).toBe(Math.ceil((n * 4) / 3));
      }),
    );
  });

  it('byteLength outside 32..96 is refused with PKCE_INVALID_OPTIONS', async () => {
    expect(await codeOf(generatePkce({ byteLength: 31 }))).toBe('PKCE_INVALID_OPTIONS');
    expect(await codeOf(generatePkce({ byteLength: 97 }))).toBe('PKCE_INVALID_OPTIONS');
    expect(await codeOf(generatePkce({ byteLength: 32.5 }))).toBe('PKCE_INVALID_OPTIONS');
  });

  it('server side: a verifier of 42 chars is PKCE_VERIFIER_TOO_SHORT', async () => {
    expect(await codeOf(verifyPkce({ verifier: 'a'.repeat(42), challenge: CHALLENGE, method: 'S256' }))).toBe(
      'PKCE_VERIFIER_TOO_SHORT',
    );
  });

  it('server side: a verifier of 129 chars is PKCE_VERIFIER_TOO_LONG', async () => {
    expect(await codeOf(verifyPkce({ verifier: 'a'.repeat(129), challenge: CHALLENGE, method: 'S256' }))).toBe(
      'PKCE_VERIFIER_TOO_LONG',
    );
  });

  it('server side: 43 and 128 chars are both accepted lengths', async () => {
    for (const v of ['a'.repeat(43), 'a'.repeat(128)]) {
      await expect(verifyPkce({ verifier: v, challenge: await computeChallenge(v), method: 'S256' })).resolves.toBe(
        undefined,
      );
    }
  });

  it('server side: characters outside [A-Za-z0-9-._~] are PKCE_VERIFIER_INVALID_CHARS', async () => {
    for (const bad of ['+', '/', '=', ' ', 'é', '%']) {
      const v = `${'a'.repeat(43)}${bad}`;
      expect(await codeOf(verifyPkce({ verifier: v, challenge: CHALLENGE, method: 'S256' }))).toBe(
        'PKCE_VERIFIER_INVALID_CHARS',
      );
    }
  });
});

describe('PKCE-02: challenge = base64url(SHA-256(verifier)), S256', () => {
  it('property: generatePkce round-trips through computeChallenge and verifyPkce', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 32, max: 96 }), async (n) => {
        const p = await generatePkce({ byteLength: n });
        expect(await computeChallenge(p.verifier)).toBe(p.challenge);
        await verifyPkce({ verifier: p.verifier, challenge: p.challenge, method: p.method });
      }),
      { numRuns: 200 },
    );
  });

  it('property: matches an independent node:crypto SHA-256 for any valid verifier', async () => {
    const { createHash } = await import('node:crypto');
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~'.split('');
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...alphabet), { minLength: 43, maxLength: 128 }).map((a) => a.join('')),
        async (v) => {
          expect(await computeChallenge(v)).toBe(createHash('sha256').update(v, 'ascii').digest('base64url'));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('the challenge carries no padding and is 43 chars', async () => {
    const { challenge } = await generatePkce();
    expect(challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});

describe('PKCE-03: plain is never accepted', () => {
  it('method plain is PKCE_METHOD_UNSUPPORTED even when verifier === challenge', async () => {
    expect(await codeOf(verifyPkce({ verifier: VERIFIER, challenge: VERIFIER, method: 'plain' }))).toBe(
      'PKCE_METHOD_UNSUPPORTED',
    );
  });

  it('other or mis-cased methods are refused too', async () => {
    for (const m of ['s256', 'S512', '']) {
      expect(await codeOf(verifyPkce({ verifier: VERIFIER, challenge: CHALLENGE, method: m }))).toBe(
        'PKCE_METHOD_UNSUPPORTED',
      );
    }
  });
});

describe('PKCE-07: a wrong verifier fails', () => {
  it('a different valid verifier is PKCE_CHALLENGE_MISMATCH', async () => {
    const other = await generatePkce();
    expect(await codeOf(verifyPkce({ verifier: other.verifier, challenge: CHALLENGE, method: 'S256' }))).toBe(
      'PKCE_CHALLENGE_MISMATCH',
    );
  });

  it('property: a challenge differing in any one character is a mismatch', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 42 }), async (i) => {
        const ch = CHALLENGE[i] === 'A' ? 'B' : 'A';
        const tampered = CHALLENGE.slice(0, i) + ch + CHALLENGE.slice(i + 1);
        expect(await codeOf(verifyPkce({ verifier: VERIFIER, challenge: tampered, method: 'S256' }))).toBe(
          'PKCE_CHALLENGE_MISMATCH',
        );
      }),
    );
  });

  it('a malformed stored challenge is PKCE_CHALLENGE_INVALID, not a silent mismatch', async () => {
    for (const c of ['', 'short', `${CHALLENGE}=`, `${CHALLENGE.slice(0, 42)}+`]) {
      expect(await codeOf(verifyPkce({ verifier: VERIFIER, challenge: c, method: 'S256' }))).toBe(
        'PKCE_CHALLENGE_INVALID',
      );
    }
  });

  it('a missing verifier (downgrade: challenge pushed, no verifier sent) is refused', async () => {
    expect(
      await codeOf(verifyPkce({ verifier: undefined as unknown as string, challenge: CHALLENGE, method: 'S256' })),
    ).toBe('PKCE_VERIFIER_INVALID_CHARS');
  });
});
