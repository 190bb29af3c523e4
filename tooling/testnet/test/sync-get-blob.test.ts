import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Testnet } from '../src/index.js';

// com.atproto.sync.getBlob on the mock PDS: public, by DID and CID, the bytes with their MIME type.

let net: Testnet;
let alice: { did: string; handle: string };
let bob: { did: string; handle: string };

beforeAll(async () => {
  net = await Testnet.start();
  alice = await net.createAccount({ handle: 'alice.test' });
  bob = await net.createAccount({ handle: 'bob.test' });
});
afterAll(async () => {
  await net.stop();
});

describe('com.atproto.sync.getBlob', () => {
  it('returns the stored bytes with their MIME type, without authentication', async () => {
    const bytes = Uint8Array.from({ length: 3000 }, (_, i) => (i * 7) & 255);
    net.pds.blobs.set('bafkreitestblob', { mimeType: 'audio/wav', bytes, did: alice.did });
    const res = await fetch(`${net.pds.url}/xrpc/com.atproto.sync.getBlob?did=${alice.did}&cid=bafkreitestblob`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('audio/wav');
    expect(res.headers.get('content-length')).toBe('3000');
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(bytes);
  });

  it('answers 400 BlobNotFound for an unknown CID or another account’s blob', async () => {
    net.pds.blobs.set('bafkreialiceonly', { mimeType: 'audio/mpeg', bytes: new Uint8Array([1, 2, 3]), did: alice.did });
    for (const query of [`did=${alice.did}&cid=bafkreimissing`, `did=${bob.did}&cid=bafkreialiceonly`]) {
      const res = await fetch(`${net.pds.url}/xrpc/com.atproto.sync.getBlob?${query}`);
      expect(res.status).toBe(400);
      expect((await res.json()).error).toBe('BlobNotFound');
    }
  });
});
