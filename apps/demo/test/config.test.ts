import { generateClientKey } from '@relay/oauth-core';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_UPLOAD_BYTES, loadConfig } from '../src/config.js';

const key = JSON.stringify(await generateClientKey({ kid: 'k1' }));
const secret = 's'.repeat(40);

describe('loadConfig', () => {
  it('defaults to a loopback development portal on 127.0.0.1:3000 with a local network', () => {
    const c = loadConfig({}, '/srv/portal');
    expect(c).toMatchObject({
      host: '127.0.0.1',
      port: 3000,
      network: 'auto',
      dataDir: '/srv/portal/.data',
      maxUploadBytes: DEFAULT_MAX_UPLOAD_BYTES,
      demoHandle: 'artist.test',
      redisPrefix: 'relay-demo:',
    });
    expect(c.publicUrl).toBeUndefined();
    expect(c.redisUrl).toBeUndefined();
  });

  it('production (PUBLIC_URL) needs the client keys and a cookie secret, and uses the public network', () => {
    const c = loadConfig({
      PUBLIC_URL: 'https://portal.example.com/',
      CLIENT_PRIVATE_KEYS: key,
      COOKIE_SECRET: secret,
    });
    expect(c.publicUrl).toBe('https://portal.example.com');
    expect(c.network).toBe('public');
    expect(c.clientPrivateKeys).toHaveLength(1);
    expect(
      loadConfig({ PUBLIC_URL: 'https://p.example', CLIENT_PRIVATE_KEYS: `[${key},${key}]`, COOKIE_SECRET: secret })
        .clientPrivateKeys,
    ).toHaveLength(2);
  });

  it.each([
    [{ PORT: 'http' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ MAX_UPLOAD_BYTES: '12MB' }, 'MAX_UPLOAD_BYTES'],
    [{ MAX_UPLOAD_BYTES: String(60 * 1024 * 1024) }, 'MAX_UPLOAD_BYTES'],
    [{ PUBLIC_URL: 'http://portal.example.com' }, 'PUBLIC_URL'],
    [{ PUBLIC_URL: 'https://portal.example.com/app' }, 'PUBLIC_URL'],
    [{ PUBLIC_URL: 'https://portal.example.com', COOKIE_SECRET: secret }, 'CLIENT_PRIVATE_KEYS'],
    [
      { PUBLIC_URL: 'https://portal.example.com', CLIENT_PRIVATE_KEYS: '{not json', COOKIE_SECRET: secret },
      'CLIENT_PRIVATE_KEYS',
    ],
    [{ PUBLIC_URL: 'https://portal.example.com', CLIENT_PRIVATE_KEYS: key }, 'COOKIE_SECRET'],
    [{ COOKIE_SECRET: 'short' }, 'COOKIE_SECRET'],
    [{ DEMO_NETWORK: 'mainnet' }, 'DEMO_NETWORK'],
    [
      { PUBLIC_URL: 'https://p.example', CLIENT_PRIVATE_KEYS: key, COOKIE_SECRET: secret, DEMO_NETWORK: 'testnet' },
      'DEMO_NETWORK',
    ],
    [{ REDIS_URL: 'localhost:6379' }, 'REDIS_URL'],
    [{ STORE_ENCRYPTION_KEY: 'dG9vIHNob3J0' }, 'STORE_ENCRYPTION_KEY'],
    [{ PLC_DIRECTORY_URL: 'plc directory' }, 'PLC_DIRECTORY_URL'],
  ])('%o → CONFIG_INVALID naming %s', (env, name) => {
    expect(() => loadConfig(env)).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringMatching(new RegExp(`^${name} `)) }),
    );
  });

  it('reads a 32-byte encryption key in base64 or base64url', () => {
    const raw = Buffer.from(Array.from({ length: 32 }, (_, i) => 250 - i));
    expect(loadConfig({ STORE_ENCRYPTION_KEY: raw.toString('base64') }).storeEncryptionKey).toEqual(
      new Uint8Array(raw),
    );
    expect(loadConfig({ STORE_ENCRYPTION_KEY: raw.toString('base64url') }).storeEncryptionKey).toEqual(
      new Uint8Array(raw),
    );
  });
});
