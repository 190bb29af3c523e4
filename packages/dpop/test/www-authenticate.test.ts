import { describe, expect, it } from 'vitest';
import { dpopChallengeError, isUseDpopNonceError, parseWwwAuthenticate } from '../src/index.js';

describe('NONCE-10: WWW-Authenticate is parsed per scheme', () => {
  it('the RFC 9449 §9 resource-server nonce challenge', () => {
    const h = 'DPoP error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof"';
    expect(parseWwwAuthenticate(h)).toEqual([
      {
        scheme: 'DPoP',
        params: { error: 'use_dpop_nonce', error_description: 'Resource server requires nonce in DPoP proof' },
      },
    ]);
    expect(dpopChallengeError(h)).toBe('use_dpop_nonce');
  });

  it('multi-scheme headers (RFC 9449 §7.2): a Bearer invalid_token is not a DPoP nonce error', () => {
    const h = 'Bearer error="invalid_token", error_description="Invalid token", DPoP algs="ES256 PS256"';
    expect(parseWwwAuthenticate(h)).toEqual([
      { scheme: 'Bearer', params: { error: 'invalid_token', error_description: 'Invalid token' } },
      { scheme: 'DPoP', params: { algs: 'ES256 PS256' } },
    ]);
    expect(dpopChallengeError(h)).toBeUndefined();
    expect(parseWwwAuthenticate('Bearer, DPoP algs="ES256 PS256"')).toEqual([
      { scheme: 'Bearer', params: {} },
      { scheme: 'DPoP', params: { algs: 'ES256 PS256' } },
    ]);
  });

  it('tells use_dpop_nonce, invalid_dpop_proof and invalid_token apart (RFC 9449 §7.1 examples)', () => {
    expect(dpopChallengeError('DPoP error="invalid_dpop_proof"')).toBe('invalid_dpop_proof');
    expect(
      dpopChallengeError('DPoP error="invalid_token", error_description="Invalid DPoP key binding", algs="ES256"'),
    ).toBe('invalid_token');
    expect(dpopChallengeError('dpop error=use_dpop_nonce')).toBe('use_dpop_nonce'); // token form, any case
  });

  it('token68, escapes, odd spacing, junk and oversize input', () => {
    expect(parseWwwAuthenticate('Basic dXNlcjpwYXNz==, DPoP  error = "a\\"b" ,, realm=x')).toEqual([
      { scheme: 'Basic', params: {}, token68: 'dXNlcjpwYXNz==' },
      { scheme: 'DPoP', params: { error: 'a"b', realm: 'x' } },
    ]);
    expect(parseWwwAuthenticate('')).toEqual([]);
    expect(parseWwwAuthenticate(null)).toEqual([]);
    expect(parseWwwAuthenticate('DPoP error="unterminated')).toEqual([{ scheme: 'DPoP', params: {} }]);
    expect(parseWwwAuthenticate(`DPoP error="${'x'.repeat(9000)}"`)).toEqual([]);
  });
});

describe('isUseDpopNonceError (NONCE-01, NONCE-02) reads a clone and leaves the body alone', () => {
  const json = (status: number, body: unknown, type = 'application/json') =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': type, 'DPoP-Nonce': 'n' } });

  it('400 JSON use_dpop_nonce (the AS form); the caller can still read the body', async () => {
    const res = json(400, { error: 'use_dpop_nonce', error_description: 'Authorization server requires nonce' });
    expect(await isUseDpopNonceError(res)).toBe(true);
    expect(await res.json()).toMatchObject({ error: 'use_dpop_nonce' });
  });

  it('401 with the DPoP challenge (the RS form); a Bearer-only challenge is not one', async () => {
    const rs = new Response(null, { status: 401, headers: { 'WWW-Authenticate': 'DPoP error="use_dpop_nonce"' } });
    expect(await isUseDpopNonceError(rs)).toBe(true);
    const bearer = new Response(null, {
      status: 401,
      headers: { 'WWW-Authenticate': 'Bearer error="use_dpop_nonce", DPoP algs="ES256"' },
    });
    expect(await isUseDpopNonceError(bearer)).toBe(false);
  });

  it('other errors, other statuses, non-JSON, malformed JSON and oversized bodies are not nonce errors', async () => {
    expect(await isUseDpopNonceError(json(400, { error: 'invalid_dpop_proof' }))).toBe(false);
    expect(await isUseDpopNonceError(json(400, { error: 42 }))).toBe(false);
    expect(await isUseDpopNonceError(json(500, { error: 'use_dpop_nonce' }))).toBe(false);
    expect(await isUseDpopNonceError(json(400, { error: 'use_dpop_nonce' }, 'text/html'))).toBe(false);
    const broken = new Response('{"error":', { status: 400, headers: { 'content-type': 'application/json' } });
    expect(await isUseDpopNonceError(broken)).toBe(false);
    const huge = json(400, { error: 'use_dpop_nonce', pad: 'x'.repeat(20_000) });
    expect(await isUseDpopNonceError(huge)).toBe(false);
    expect((await huge.text()).length).toBeGreaterThan(20_000); // still intact for the caller
  });
});
