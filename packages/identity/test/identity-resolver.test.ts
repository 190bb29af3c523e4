import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIdentityResolver, type IdentityResolverOptions } from '../src/index.js';
import { createNodeIdentityResolver, createNodeSafeFetch, createNodeTxtLookup } from '../src/node/index.js';
import { codeOf } from './helpers/codes.js';
import { type LoopbackDns, startDns } from './helpers/dns-server.js';
import { type LoopbackHttp, startHttp } from './helpers/http-server.js';

const ALICE = 'did:plc:ewvi7nxzyoun6zhxrhs64oiz';
const BOB = 'did:plc:yk4dd2qkboz2yv6tpubpc6co';
const CAROL = 'did:plc:cccccccccccccccccccccccc';
const docs: Record<string, unknown> = {};
const setDoc = (did: string, aka: string[], pds = 'https://pds.example.com') => {
  docs[did] = {
    id: did,
    alsoKnownAs: aka,
    service: [{ id: '#atproto_pds', type: 'AtprotoPersonalDataServer', serviceEndpoint: pds }],
  };
};
const wellKnown: Record<string, string> = {};

let dns: LoopbackDns;
let plc: LoopbackHttp;
let web: LoopbackHttp;
let base: IdentityResolverOptions;

beforeAll(async () => {
  dns = await startDns({
    '_atproto.alice.test': { TXT: [[`did=${ALICE}`]] },
    '_atproto.liar.test': { TXT: [[`did=${BOB}`]] }, // points at Bob, whose document does not claim liar.test
    '_atproto.key.test': { TXT: [['did=did:key:zQ3shZc2QzApp2oymGvQbzP8eKheVshBHbU4ZYjeXqwSKEn6N']] },
    '_atproto.upper.test': { TXT: [['did=DID:PLC:EWVI7NXZYOUN6ZHXRHS64OIZ']] },
  });
  plc = await startHttp((req, res) => {
    const did = decodeURIComponent((req.url ?? '').slice(1));
    const d = docs[did];
    if (!d) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(d));
  });
  web = await startHttp((req, res) => {
    const body = wellKnown[(req.headers.host ?? '').split(':')[0] ?? ''];
    if (body === undefined) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/plain' }).end(body);
  });
  setDoc(ALICE, ['at://alice.test']);
  setDoc(BOB, ['at://bob.test']);
  setDoc(CAROL, ['at://carol.test']);
  wellKnown['carol.test'] = CAROL;
  const hosts = ['alice.test', 'bob.test', 'carol.test', 'liar.test', 'nobody.test', 'key.test', 'upper.test'];
  base = {
    dev: true,
    plcDirectoryUrl: plc.origin,
    txt: createNodeTxtLookup({ servers: [dns.server] }),
    fetch: createNodeSafeFetch({
      allowHttp: true,
      allowLoopback: true,
      hostMap: Object.fromEntries(hosts.map((h) => [h, `http://${h}:${web.port}`])),
      lookup: async () => [{ address: '127.0.0.1', family: 4 }],
    }),
  };
});
afterAll(async () => {
  await Promise.all([dns.close(), plc.close(), web.close()]);
});

describe('resolveIdentity from a handle', () => {
  it('ID-HANDLE-02 / ID-HANDLE-11: "@Alice.TEST" → DID, verified handle, PDS, document', async () => {
    const id = await createIdentityResolver(base).resolveIdentity('@Alice.TEST');
    expect(id).toMatchObject({ did: ALICE, handle: 'alice.test', pds: 'https://pds.example.com' });
    expect(id.didDocument.id).toBe(ALICE);
  });
  it('ID-HANDLE-09: a well-known-only handle resolves through the same resolver', async () => {
    expect((await createIdentityResolver(base).resolveIdentity('carol.test')).did).toBe(CAROL);
  });
  it('ID-HANDLE-11: a document that does not claim the handle → IDENTITY_HANDLE_MISMATCH', async () => {
    expect(await codeOf(createIdentityResolver(base).resolveIdentity('liar.test'))).toBe('IDENTITY_HANDLE_MISMATCH');
  });
  it('ID-HANDLE-11: a match only in the second valid alsoKnownAs entry fails', async () => {
    setDoc(ALICE, ['at://someone.test', 'at://alice.test']);
    try {
      expect(await codeOf(createIdentityResolver(base).resolveIdentity('alice.test'))).toBe('IDENTITY_HANDLE_MISMATCH');
    } finally {
      setDoc(ALICE, ['at://alice.test']);
    }
  });
  it('ID-HANDLE-12: did:key in TXT → IDENTITY_DID_METHOD_UNSUPPORTED; DID:PLC:… → IDENTITY_DID_INVALID', async () => {
    const r = createIdentityResolver(base);
    expect(await codeOf(r.resolveIdentity('key.test'))).toBe('IDENTITY_DID_METHOD_UNSUPPORTED');
    expect(await codeOf(r.resolveIdentity('upper.test'))).toBe('IDENTITY_DID_INVALID');
  });
  it('no answer from either method → IDENTITY_NOT_FOUND', async () => {
    expect(await codeOf(createIdentityResolver(base).resolveIdentity('nobody.test'))).toBe('IDENTITY_NOT_FOUND');
  });
  it('ID-HANDLE-01 / -03 / -15: bad syntax and reserved TLDs fail with no network traffic', async () => {
    const r = createIdentityResolver({ ...base, dev: false });
    const q = dns.queries.length;
    const w = web.requests.length;
    expect(await codeOf(r.resolveIdentity('john..test'))).toBe('IDENTITY_HANDLE_INVALID');
    expect(await codeOf(r.resolveIdentity('handle.invalid'))).toBe('IDENTITY_TLD_RESERVED');
    expect(await codeOf(r.resolveIdentity('laptop.local'))).toBe('IDENTITY_TLD_RESERVED');
    expect(await codeOf(r.resolveIdentity('alice.test'))).toBe('IDENTITY_TLD_RESERVED'); // .test outside dev
    expect(await codeOf(r.resolveIdentity('did:key:zQ3shZc2QzApp2oymGvQbzP8eKheVshBHbU4ZYjeXqwSKEn6N'))).toBe(
      'IDENTITY_DID_METHOD_UNSUPPORTED',
    );
    expect(await codeOf(r.resolveIdentity('did:plc:UPPER'))).toBe('IDENTITY_DID_INVALID');
    expect(dns.queries.length).toBe(q);
    expect(web.requests.length).toBe(w);
  });
});

describe('resolveIdentity from a DID (ID-HANDLE-14)', () => {
  it('the handle is returned only when it verifies back to the DID', async () => {
    const r = createIdentityResolver(base);
    expect(await r.resolveIdentity(ALICE)).toMatchObject({ did: ALICE, handle: 'alice.test' });
    // Bob's document claims bob.test, but bob.test resolves to nothing.
    expect(await r.resolveIdentity(BOB)).toMatchObject({ did: BOB, handle: null, pds: 'https://pds.example.com' });
  });
  it('after the handle record changes, the DID still resolves and the handle shows as unverified', async () => {
    const r = createIdentityResolver(base);
    expect((await r.resolveIdentity(CAROL, { noCache: true })).handle).toBe('carol.test');
    wellKnown['carol.test'] = BOB;
    try {
      expect(await r.resolveIdentity(CAROL, { noCache: true })).toMatchObject({ did: CAROL, handle: null });
    } finally {
      wellKnown['carol.test'] = CAROL;
    }
  });
});

describe('ID-HANDLE-13: identity caches live under 10 minutes', () => {
  it('cached within the TTL; a new lookup after 11 minutes (injected clock)', async () => {
    let now = 1_000_000;
    const r = createIdentityResolver({ ...base, now: () => now });
    const txtQueries = () => dns.queries.filter((q) => q.name === '_atproto.alice.test').length;
    const q0 = txtQueries();
    await r.resolveIdentity('alice.test');
    expect(txtQueries()).toBe(q0 + 1);
    now += 4 * 60_000;
    await r.resolveIdentity('alice.test');
    expect(txtQueries()).toBe(q0 + 1); // served from cache
    now += 7 * 60_000; // 11 minutes after the first lookup
    await r.resolveIdentity('alice.test');
    expect(txtQueries()).toBe(q0 + 2);
  });
  it('noCache bypasses the cached values', async () => {
    const r = createIdentityResolver(base);
    const plcBefore = plc.requests.length;
    await r.resolveIdentity('alice.test');
    await r.resolveIdentity('alice.test', { noCache: true });
    expect(plc.requests.length).toBe(plcBefore + 2);
  });
  it('a handle TTL of 10 minutes or more is refused', async () => {
    expect(await codeOf(() => createIdentityResolver({ handleCache: { ttlMs: 10 * 60_000 } }))).toBe('INVALID_OPTIONS');
  });
  it('concurrent resolutions of one handle share one lookup', async () => {
    const r = createIdentityResolver(base);
    const plcBefore = plc.requests.length;
    const results = await Promise.all(Array.from({ length: 10 }, () => r.resolveIdentity('alice.test')));
    expect(new Set(results.map((x) => x.did))).toEqual(new Set([ALICE]));
    expect(plc.requests.length).toBe(plcBefore + 1);
  });
});

describe('createNodeIdentityResolver', () => {
  it('uses the node TXT lookup on the given servers and the node safe fetch', async () => {
    const r = createNodeIdentityResolver({ ...base, txt: undefined, dnsServers: [dns.server] });
    expect((await r.resolveIdentity('alice.test')).did).toBe(ALICE);
  });
});
