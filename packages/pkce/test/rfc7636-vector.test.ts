import { describe, expect, it } from 'vitest';
import { computeChallenge, verifyPkce } from '../src/index.js';

// RFC 7636 Appendix B, as listed in shared/spec/requirements.md §4.1.
const VERIFIER_OCTETS = [
  116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212, 37, 77, 105, 214, 191, 240, 91,
  88, 5, 88, 83, 132, 141, 121,
];
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

describe('RFC 7636 Appendix B vector', () => {
  it('the verifier is the base64url of the published octets', () => {
    const b64 = Buffer.from(VERIFIER_OCTETS).toString('base64url');
    expect(b64).toBe(VERIFIER);
  });

  it('PKCE-02: computeChallenge gives the published S256 challenge', async () => {
    expect(await computeChallenge(VERIFIER)).toBe(CHALLENGE);
  });

  it('PKCE-07: verifyPkce accepts the vector pair', async () => {
    await expect(verifyPkce({ verifier: VERIFIER, challenge: CHALLENGE, method: 'S256' })).resolves.toBeUndefined();
  });
});
