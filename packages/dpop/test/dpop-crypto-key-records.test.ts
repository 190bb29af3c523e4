import { describe, expect, it } from 'vitest';
import {
  createDpopProof,
  type DpopCryptoKeyPair,
  exportDpopCryptoKey,
  exportDpopKey,
  isDpopCryptoKeyPair,
  verifyDpopProof,
} from '../src/index.js';
import * as node from '../src/index.node.js';
import { PLATFORMS } from './helpers/platforms.js';

const HTU = 'https://pds.example.com/xrpc/com.atproto.repo.createRecord';

async function proves(key: Awaited<ReturnType<typeof node.generateDpopKey>>) {
  const proof = await createDpopProof(key, { htm: 'POST', htu: HTU });
  const out = await verifyDpopProof(proof, { htm: 'POST', htu: HTU, replayCache: false });
  return out.jkt === key.jkt;
}

describe.each(PLATFORMS)('non-extractable keys and CryptoKey records — $name', ({ generateDpopKey, importDpopKey }) => {
  it('DPOP-03: extractable: false gives a key whose private CryptoKey cannot be exported, and it signs proofs', async () => {
    const key = await generateDpopKey({ extractable: false });
    const record = await exportDpopCryptoKey(key);
    expect(record.privateKey.extractable).toBe(false);
    expect(record.privateKey.type).toBe('private');
    await expect(crypto.subtle.exportKey('jwk', record.privateKey)).rejects.toThrow();
    await expect(exportDpopKey(key)).rejects.toMatchObject({ code: 'DPOP_KEY_INVALID' });
    expect(record.publicJwk).toEqual(key.publicJwk);
    expect(await proves(key)).toBe(true);
  });

  it('a CryptoKey record survives structured clone (as IndexedDB stores it) and restores the same key', async () => {
    const key = await generateDpopKey({ extractable: false });
    const cloned = structuredClone(await exportDpopCryptoKey(key));
    expect(isDpopCryptoKeyPair(cloned)).toBe(true);
    const restored = await importDpopKey(cloned);
    expect(restored.jkt).toBe(key.jkt);
    expect(await proves(restored)).toBe(true);
    // the restored key is still non-extractable, and its record can be stored again
    expect((await exportDpopCryptoKey(restored)).privateKey.extractable).toBe(false);
  });

  it('importDpopKey refuses a record whose public JWK belongs to another key', async () => {
    const a = await exportDpopCryptoKey(await generateDpopKey({ extractable: false }));
    const b = await exportDpopCryptoKey(await generateDpopKey({ extractable: false }));
    const mixed: DpopCryptoKeyPair = { ...a, publicJwk: b.publicJwk };
    await expect(importDpopKey(mixed)).rejects.toMatchObject({ code: 'DPOP_KEY_INVALID' });
  });

  it('importDpopKey refuses a record holding a public key, a wrong curve, or a bad alg', async () => {
    const good = await exportDpopCryptoKey(await generateDpopKey({ extractable: false }));
    const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
    await expect(importDpopKey({ ...good, privateKey: pair.publicKey })).rejects.toMatchObject({
      code: 'DPOP_KEY_INVALID',
    });
    const p384 = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-384' }, false, ['sign']);
    await expect(importDpopKey({ ...good, privateKey: p384.privateKey })).rejects.toMatchObject({
      code: 'DPOP_KEY_INVALID',
    });
    await expect(importDpopKey({ ...good, alg: 'RS256' as never })).rejects.toMatchObject({
      code: 'DPOP_KEY_INVALID',
    });
  });

  it('a non-boolean extractable option is refused with DPOP_INVALID_OPTIONS', async () => {
    await expect(generateDpopKey({ extractable: 'no' as never })).rejects.toMatchObject({
      code: 'DPOP_INVALID_OPTIONS',
    });
  });

  it('extractable keys (the default) still export a private JWK that restores the same key', async () => {
    const key = await generateDpopKey();
    const restored = await importDpopKey(JSON.parse(JSON.stringify(await exportDpopKey(key))));
    expect(restored.jkt).toBe(key.jkt);
  });
});

describe('CryptoKey records across builds', () => {
  it('the WebCrypto build records every key; the node:crypto build only non-extractable ones', async () => {
    const { generateDpopKey: webGenerate } = await import('../src/index.js');
    expect((await exportDpopCryptoKey(await webGenerate())).privateKey.extractable).toBe(true);
    await expect(exportDpopCryptoKey(await node.generateDpopKey())).rejects.toMatchObject({
      code: 'DPOP_KEY_INVALID',
    });
  });

  it('isDpopCryptoKeyPair tells records from private JWKs', async () => {
    const key = await node.generateDpopKey();
    expect(isDpopCryptoKeyPair(await exportDpopKey(key))).toBe(false);
    expect(isDpopCryptoKeyPair(null)).toBe(false);
    expect(isDpopCryptoKeyPair({ privateKey: 'x' })).toBe(false);
  });
});
