import { compactVerify, importJWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { generateClientKey, Keyset, OAuthError } from '../src/index.js';

describe('Keyset (confidential client keys)', () => {
  it('imports ES256 keys; the last is the newest; publicJwks never carries "d"', async () => {
    const keyset = await Keyset.from([await generateClientKey({ kid: 'a' }), await generateClientKey({ kid: 'b' })]);
    expect(keyset.newest.kid).toBe('b');
    expect(keyset.get('a')?.kid).toBe('a');
    expect(keyset.get('gone')).toBeUndefined();
    for (const k of keyset.publicJwks.keys) expect(k).not.toHaveProperty('d');
  });

  it('the imported private key signs what its published public key verifies', async () => {
    const keyset = await Keyset.from([await generateClientKey({ kid: 'a' })]);
    const header = btoa(JSON.stringify({ alg: 'ES256', kid: 'a' })).replace(/=+$/, '');
    const payload = btoa('{}').replace(/=+$/, '');
    const sig = await crypto.subtle.sign(
      { name: 'ECDSA', hash: 'SHA-256' },
      keyset.newest.privateKey,
      new TextEncoder().encode(`${header}.${payload}`),
    );
    const jws = `${header}.${payload}.${Buffer.from(sig).toString('base64url')}`;
    const pub = await importJWK(keyset.publicJwks.keys[0] as unknown as Record<string, string>, 'ES256');
    await expect(compactVerify(jws, pub)).resolves.toBeDefined();
  });

  it.each([
    ['no keys', []],
    ['a key without kid', [{ kty: 'EC', crv: 'P-256', x: 'a', y: 'b', d: 'c' }]],
    ['a public key', [{ kty: 'EC', crv: 'P-256', x: 'a', y: 'b', kid: 'k' }]],
    ['an RSA key', [{ kty: 'RSA', n: 'a', e: 'AQAB', d: 'x', kid: 'k' }]],
  ])('KEYSET_INVALID for %s', async (_label, jwks) => {
    await expect(Keyset.from(jwks)).rejects.toMatchObject({ code: 'KEYSET_INVALID' });
  });

  it('KEYSET_INVALID for duplicate kids and for a corrupt key', async () => {
    const k = await generateClientKey({ kid: 'same' });
    await expect(Keyset.from([k, { ...k }])).rejects.toBeInstanceOf(OAuthError);
    await expect(Keyset.from([{ ...k, d: 'AAAA' }])).rejects.toMatchObject({ code: 'KEYSET_INVALID' });
  });
});
