import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisStoreError } from '../src/index.js';
import { codeOf, REDIS_URL, redisFixture, uniquePrefix } from './support/redis.js';

const fx = redisFixture('encryption');
const raw = new Redis(REDIS_URL);
afterAll(async () => {
  raw.disconnect();
  await fx.cleanup();
});

const did = 'did:plc:ewvi7nxzyoun6zhxrhs64oiz';
const k1 = { id: 'k1', key: crypto.getRandomValues(new Uint8Array(32)) };
const k2 = { id: 'k2', key: crypto.getRandomValues(new Uint8Array(32)) };
const session = {
  did,
  dpopKey: { kty: 'EC', crv: 'P-256', x: 'pub-x', y: 'pub-y', d: 'PRIVATE-SCALAR-d-value' },
  tokens: { accessToken: 'at-SECRET-ACCESS', refreshToken: 'rt-SECRET-REFRESH', scope: 'atproto' },
};
const SECRETS = ['PRIVATE-SCALAR-d-value', 'at-SECRET-ACCESS', 'rt-SECRET-REFRESH'];

describe('encryption at rest', () => {
  it('a raw read of a stored session or state shows no token or key in clear', async () => {
    const s = await fx.stores({ encryption: { current: k1 } });
    await s.session.set(did, 'phone', session);
    await s.state.set('st-1', { dpopKey: session.dpopKey, verifier: 'pkce-verifier-SECRET' }, 60_000);
    const storedSession = (await raw.hget(`${s.prefix}sessions:{${did}}`, 'phone')) as string;
    const storedState = (await raw.get(`${s.prefix}state:{st-1}`)) as string;
    for (const stored of [storedSession, storedState]) {
      expect(stored.startsWith('rs1.k1.')).toBe(true);
      for (const secret of [...SECRETS, 'pkce-verifier-SECRET', 'pub-x', 'atproto']) {
        expect(stored).not.toContain(secret);
      }
    }
    expect(await s.session.get(did, 'phone')).toEqual(session);
  });

  it('the wrong key is a typed STORE_DECRYPT_FAILED, never garbage, and the message holds no secret', async () => {
    const writer = await fx.stores({ encryption: { current: k1 } });
    await writer.session.set(did, 'phone', session);
    const impostor = await fx.stores({ prefix: writer.prefix, encryption: { current: { id: 'k1', key: k2.key } } });
    const err = await impostor.session.get(did, 'phone').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RedisStoreError);
    expect((err as RedisStoreError).code).toBe('STORE_DECRYPT_FAILED');
    for (const secret of SECRETS) expect((err as Error).message).not.toContain(secret);
    // An unknown key id is the same typed error.
    const other = await fx.stores({ prefix: writer.prefix, encryption: { current: k2 } });
    expect(await codeOf(() => other.session.get(did, 'phone'))).toBe('STORE_DECRYPT_FAILED');
  });

  it('keys rotate: records sealed with a previous key still open, new writes use the current key', async () => {
    const old = await fx.stores({ encryption: { current: k1 } });
    await old.session.set(did, 'phone', session);
    const rotated = await fx.stores({ prefix: old.prefix, encryption: { current: k2, previous: [k1] } });
    expect(await rotated.session.get(did, 'phone')).toEqual(session);
    await rotated.session.set(did, 'phone', session);
    expect(await raw.hget(`${old.prefix}sessions:{${did}}`, 'phone')).toMatch(/^rs1\.k2\./);
    // Once rewritten, the retired key alone no longer opens it.
    expect(await codeOf(() => old.session.get(did, 'phone'))).toBe('STORE_DECRYPT_FAILED');
  });

  it('a sealed record copied to another session, or altered by one byte, does not open', async () => {
    const s = await fx.stores({ encryption: { current: k1 } });
    await s.session.set(did, 'victim', session);
    const sealed = (await raw.hget(`${s.prefix}sessions:{${did}}`, 'victim')) as string;
    await raw.hset(`${s.prefix}sessions:{${did}}`, 'attacker', sealed);
    expect(await codeOf(() => s.session.get(did, 'attacker'))).toBe('STORE_DECRYPT_FAILED');
    const last = sealed.at(-2) === 'A' ? 'B' : 'A';
    await raw.hset(`${s.prefix}sessions:{${did}}`, 'victim', `${sealed.slice(0, -2)}${last}${sealed.slice(-1)}`);
    expect(await codeOf(() => s.session.get(did, 'victim'))).toBe('STORE_DECRYPT_FAILED');
  });

  it('sealed data without keys, or plaintext with keys, is refused unless readPlaintext is set to migrate', async () => {
    const sealed = await fx.stores({ encryption: { current: k1 } });
    await sealed.session.set(did, 'a', session);
    const plain = await fx.stores({ prefix: sealed.prefix });
    expect(await codeOf(() => plain.session.get(did, 'a'))).toBe('STORE_DECRYPT_FAILED');
    await plain.session.set(did, 'b', session);
    expect(await codeOf(() => sealed.session.get(did, 'b'))).toBe('STORE_DECRYPT_FAILED');
    const migrating = await fx.stores({ prefix: sealed.prefix, encryption: { current: k1, readPlaintext: true } });
    expect(await migrating.session.get(did, 'b')).toEqual(session);
    await migrating.session.set(did, 'b', session);
    expect(await raw.hget(`${sealed.prefix}sessions:{${did}}`, 'b')).toMatch(/^rs1\.k1\./);
  });

  it('bad keys are INVALID_OPTIONS when the stores open', async () => {
    const prefix = uniquePrefix('badkeys');
    const open = (encryption: never) => () => fx.stores({ prefix, encryption });
    expect(await codeOf(open({ current: { id: 'k', key: new Uint8Array(16) } } as never))).toBe('INVALID_OPTIONS');
    expect(await codeOf(open({ current: { id: 'has space', key: k1.key } } as never))).toBe('INVALID_OPTIONS');
    expect(await codeOf(open({ current: k1, previous: [{ id: 'k1', key: k2.key }] } as never))).toBe('INVALID_OPTIONS');
    const hmac = await crypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    expect(await codeOf(open({ current: { id: 'k', key: hmac } } as never))).toBe('INVALID_OPTIONS');
    const aes = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
    const s = await fx.stores({ prefix, encryption: { current: { id: 'ck', key: aes } } });
    await s.state.set('x', { v: 1 }, 10_000);
    expect(await s.state.take('x')).toEqual({ v: 1 });
  });
});
