import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { generateClientKey, validateClientMetadata } from '@relay/oauth-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { DEMO_SCOPE } from '../src/create-app.js';
import { type RunningDemo, startDemo } from '../src/start-demo.js';

// Production mode: PUBLIC_URL + CLIENT_PRIVATE_KEYS + COOKIE_SECRET make a confidential client that
// serves its own client-metadata.json and jwks.json, with a __Host- Secure cookie. Nothing here
// contacts the public network (it is only used when someone signs in).

const PUBLIC_URL = 'https://portal.example.com';
let demo: RunningDemo;
let dataDir: string;
const keys = [await generateClientKey({ kid: '2026-10' }), await generateClientKey({ kid: '2026-11' })];

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'relay-demo-prod-'));
  const config = loadConfig({
    PUBLIC_URL,
    CLIENT_PRIVATE_KEYS: JSON.stringify(keys),
    COOKIE_SECRET: 'c'.repeat(48),
    PORT: '0',
    DATA_DIR: dataDir,
  });
  demo = await startDemo(config);
});
afterAll(async () => {
  await demo?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

const local = (p: string) => `http://127.0.0.1:${demo.port}${p}`;

describe('production mode (confidential client)', () => {
  it('serves client-metadata.json: a valid confidential web client whose client_id is that URL', async () => {
    const res = await fetch(local('/client-metadata.json'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const doc = await res.json();
    const { kind } = validateClientMetadata(doc);
    expect(kind).toBe('confidential');
    expect(doc).toMatchObject({
      client_id: `${PUBLIC_URL}/client-metadata.json`,
      redirect_uris: [`${PUBLIC_URL}/callback`],
      scope: DEMO_SCOPE,
      token_endpoint_auth_method: 'private_key_jwt',
      token_endpoint_auth_signing_alg: 'ES256',
      jwks_uri: `${PUBLIC_URL}/jwks.json`,
      dpop_bound_access_tokens: true,
      client_name: 'Relay artist portal',
    });
    expect(doc.jwks).toBeUndefined();
  });

  it('serves jwks.json with the public halves of every key, never a private part (META-CLIENT-14)', async () => {
    const jwks = await (await fetch(local('/jwks.json'))).json();
    expect(jwks.keys.map((k: { kid: string }) => k.kid)).toEqual(['2026-10', '2026-11']);
    for (const k of jwks.keys) {
      expect(k.d).toBeUndefined();
      expect(k).toMatchObject({ kty: 'EC', crv: 'P-256' });
    }
  });

  it('sets a __Host- cookie with Secure, HttpOnly, SameSite=Lax and Path=/', async () => {
    const res = await fetch(local('/'));
    const line = res.headers.getSetCookie().find((l) => l.startsWith('__Host-relay_sid='));
    expect(line).toBeDefined();
    expect(line).toMatch(/; Secure/);
    expect(line).toMatch(/; HttpOnly/);
    expect(line).toMatch(/; SameSite=Lax/);
    expect(line).toMatch(/; Path=\//);
    expect(line).not.toMatch(/Domain=/i);
  });

  it('refuses form posts whose Origin is not PUBLIC_URL', async () => {
    const res = await fetch(local('/login'), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: `http://127.0.0.1:${demo.port}` },
      body: 'handle=alice.example.com',
    });
    expect(res.status).toBe(403);
  });

  it('keeps sessions in a persistent SQLite file in DATA_DIR', () => {
    expect(demo.store).toEqual({ kind: 'sqlite', file: path.join(dataDir, 'relay-demo.sqlite') });
    expect(existsSync(path.join(dataDir, 'relay-demo.sqlite'))).toBe(true);
    expect(demo.network).toBeUndefined();
  });
});
