import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDidResolver,
  type DidDocument,
  getClaimedHandle,
  getPdsEndpoint,
  parseDidDocument,
} from '../src/index.js';
import { createNodeSafeFetch } from '../src/node/index.js';
import { codeOf } from './helpers/codes.js';
import { type LoopbackHttp, startHttp } from './helpers/http-server.js';

const PLC = 'did:plc:ewvi7nxzyoun6zhxrhs64oiz';
const WEB = 'did:web:alice.example.com';
const pdsService = (endpoint: unknown, id = '#atproto_pds', type: unknown = 'AtprotoPersonalDataServer') => ({
  id,
  type,
  serviceEndpoint: endpoint,
});
const docFor = (id: string, extra: Record<string, unknown> = {}) => ({
  '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'],
  id,
  alsoKnownAs: ['at://alice.example.com'],
  verificationMethod: [
    {
      id: '#atproto',
      type: 'Multikey',
      controller: id,
      publicKeyMultibase: 'zDnaeh9v2RmcMo13Du2d6pjUf5bZwtauYxj3n9dYjw4EZUAR7',
    },
  ],
  service: [pdsService('https://pds.example.com')],
  ...extra,
});

// path → [status, content-type, body]
const served = new Map<string, [number, string, string]>();
let srv: LoopbackHttp;
let resolver: ReturnType<typeof createDidResolver>;

beforeAll(async () => {
  srv = await startHttp((req, res) => {
    const hit = served.get(req.url ?? '');
    if (!hit) return void res.writeHead(404).end();
    res.writeHead(hit[0], { 'content-type': hit[1] }).end(hit[2]);
  });
  const fetch = createNodeSafeFetch({
    allowHttp: true,
    allowLoopback: true,
    hostMap: { 'alice.example.com': srv.origin, localhost: srv.origin },
  });
  resolver = createDidResolver({ fetch, plcDirectoryUrl: `${srv.origin}/plc` });
});
afterAll(() => srv.close());

const json = (o: unknown, type = 'application/json'): [number, string, string] => [200, type, JSON.stringify(o)];

describe('ID-DID-04: did:plc through the configured directory', () => {
  it('GET <directory>/<percent-encoded DID>', async () => {
    served.set(`/plc/${encodeURIComponent(PLC)}`, json(docFor(PLC)));
    const doc = await resolver.resolve(PLC);
    expect(doc.id).toBe(PLC);
    expect(srv.requests.at(-1)?.url).toBe('/plc/did%3Aplc%3Aewvi7nxzyoun6zhxrhs64oiz');
  });
  it('404 and 410 → IDENTITY_NOT_FOUND; 500 → FETCH_BAD_RESPONSE', async () => {
    const gone = 'did:plc:yk4dd2qkboz2yv6tpubpc6co';
    served.set(`/plc/${encodeURIComponent(gone)}`, [410, 'application/json', '{}']);
    expect(await codeOf(resolver.resolve(gone))).toBe('IDENTITY_NOT_FOUND');
    expect(await codeOf(resolver.resolve('did:plc:aaaaaaaaaaaaaaaaaaaaaaaa'))).toBe('IDENTITY_NOT_FOUND');
    served.set(`/plc/${encodeURIComponent('did:plc:bbbbbbbbbbbbbbbbbbbbbbbb')}`, [500, 'text/plain', 'oops']);
    expect(await codeOf(resolver.resolve('did:plc:bbbbbbbbbbbbbbbbbbbbbbbb'))).toBe('FETCH_BAD_RESPONSE');
  });
  it('the default directory is https://plc.directory', async () => {
    const seen: string[] = [];
    const r = createDidResolver({
      fetch: async (u) => {
        seen.push(String(u));
        return Response.json(docFor(PLC));
      },
    });
    await r.resolve(PLC);
    expect(seen).toEqual(['https://plc.directory/did%3Aplc%3Aewvi7nxzyoun6zhxrhs64oiz']);
  });
});

describe('ID-DID-05: did:web is hostname-only', () => {
  it('did:web:alice.example.com → https://alice.example.com/.well-known/did.json', async () => {
    served.set('/.well-known/did.json', json(docFor(WEB)));
    const seen: string[] = [];
    const r = createDidResolver({
      fetch: async (u) => {
        seen.push(String(u));
        return Response.json(docFor(WEB));
      },
    });
    await r.resolve(WEB);
    expect(seen).toEqual(['https://alice.example.com/.well-known/did.json']);
    expect((await resolver.resolve(WEB)).id).toBe(WEB);
  });
  it('paths, ports (outside localhost/dev) and reserved TLDs are refused before any request', async () => {
    const before = srv.requests.length;
    expect(await codeOf(resolver.resolve('did:web:example.com:u:alice'))).toBe('IDENTITY_DID_INVALID');
    expect(await codeOf(resolver.resolve('did:web:example.com%3A8443'))).toBe('IDENTITY_DID_INVALID');
    expect(await codeOf(resolver.resolve('did:web:localhost%3A8443'))).toBe('IDENTITY_DID_INVALID');
    expect(await codeOf(resolver.resolve('did:web:foo.local'))).toBe('IDENTITY_TLD_RESERVED');
    expect(await codeOf(resolver.resolve('did:web:foo.test'))).toBe('IDENTITY_TLD_RESERVED');
    expect(srv.requests.length).toBe(before);
  });
  it('dev mode: did:web:localhost%3A<port> over http', async () => {
    const did = `did:web:localhost%3A${srv.port}`;
    served.set('/.well-known/did.json', json(docFor(did)));
    const dev = createDidResolver({ fetch: createNodeSafeFetch({ allowHttp: true, allowLoopback: true }), dev: true });
    expect((await dev.resolve(did)).id).toBe(did);
  });
});

describe('ID-DID-06: the document id must be the DID resolved', () => {
  it('a document for another DID → IDENTITY_DOCUMENT_INVALID', async () => {
    const other = 'did:plc:cccccccccccccccccccccccc';
    served.set(`/plc/${encodeURIComponent(other)}`, json(docFor(PLC)));
    expect(await codeOf(resolver.resolve(other))).toBe('IDENTITY_DOCUMENT_INVALID');
  });
});

describe('ID-DID-11: JSON object, accepted types, size limit', () => {
  const did = 'did:plc:dddddddddddddddddddddddd';
  const path = `/plc/${encodeURIComponent(did)}`;
  it('application/did+ld+json is accepted', async () => {
    served.set(path, json(docFor(did), 'application/did+ld+json'));
    expect((await resolver.resolve(did)).id).toBe(did);
  });
  it('an HTML body or a JSON array is refused', async () => {
    served.set(path, [200, 'text/html', '<html></html>']);
    expect(await codeOf(resolver.resolve(did))).toBe('FETCH_BAD_RESPONSE');
    served.set(path, json([docFor(did)]));
    expect(await codeOf(resolver.resolve(did))).toBe('IDENTITY_DOCUMENT_INVALID');
  });
  it('a document over the cap is FETCH_TOO_LARGE', async () => {
    served.set(path, json(docFor(did, { padding: 'x'.repeat(70_000) })));
    expect(await codeOf(resolver.resolve(did))).toBe('FETCH_TOO_LARGE');
  });
});

const doc = (service: unknown[], aka: unknown[] = []): DidDocument =>
  parseDidDocument({ id: PLC, service, alsoKnownAs: aka }, PLC);

describe('ID-DID-07: the PDS is the first #atproto_pds of type AtprotoPersonalDataServer', () => {
  it('first match wins; relative and absolute ids both work', () => {
    expect(getPdsEndpoint(doc([pdsService('https://one.example.com'), pdsService('https://two.example.com')]))).toBe(
      'https://one.example.com',
    );
    expect(getPdsEndpoint(doc([pdsService('https://abs.example.com', `${PLC}#atproto_pds`)]))).toBe(
      'https://abs.example.com',
    );
  });
  it('a wrong type or id is skipped; none → IDENTITY_PDS_MISSING', async () => {
    expect(
      getPdsEndpoint(
        doc([pdsService('https://x.example.com', '#atproto_pds', 'Other'), pdsService('https://y.example.com')]),
      ),
    ).toBe('https://y.example.com');
    expect(
      getPdsEndpoint(
        doc([pdsService('https://x.example.com', 'did:plc:other#atproto_pds'), pdsService('https://z.example.com')]),
      ),
    ).toBe('https://z.example.com');
    expect(await codeOf(() => getPdsEndpoint(doc([pdsService('https://x.example.com', '#atproto_labeler')])))).toBe(
      'IDENTITY_PDS_MISSING',
    );
    expect(await codeOf(() => getPdsEndpoint(doc([])))).toBe('IDENTITY_PDS_MISSING');
  });
});

describe('ID-DID-08: the endpoint is a bare https origin', () => {
  it('https origin (with or without port) passes', () => {
    expect(getPdsEndpoint(doc([pdsService('https://pds.example.com')]))).toBe('https://pds.example.com');
    expect(getPdsEndpoint(doc([pdsService('https://pds.example.com:8443')]))).toBe('https://pds.example.com:8443');
  });
  it.each([
    'https://u:p@pds.example.com',
    'https://pds.example.com/xrpc',
    'https://pds.example.com?x=1',
    'https://pds.example.com#f',
    'http://pds.example.com',
    'ftp://pds.example.com',
    'not a url',
    42,
    null,
  ])('%s → IDENTITY_DOCUMENT_INVALID', async (endpoint) => {
    expect(await codeOf(() => getPdsEndpoint(doc([pdsService(endpoint)])))).toBe('IDENTITY_DOCUMENT_INVALID');
  });
  it('http only in dev', () => {
    expect(getPdsEndpoint(doc([pdsService('http://pds.test:2583')]), { allowHttp: true })).toBe('http://pds.test:2583');
  });
});

describe('ID-DID-09: the claimed handle is the first valid at:// entry', () => {
  it('skips non-at:// and invalid entries; ignores later ones', () => {
    expect(getClaimedHandle(doc([], ['https://x.y', 'at://alice.test', 'at://bob.test']))).toBe('alice.test');
    expect(getClaimedHandle(doc([], ['at://alice.test/app.bsky.feed.post/1', 'at://bob.test']))).toBe('bob.test');
    expect(getClaimedHandle(doc([], ['at://Alice.Example.COM']))).toBe('alice.example.com');
    expect(getClaimedHandle(doc([], [42, 'at://', 'at://no_underscores.test']))).toBeNull();
    expect(getClaimedHandle(doc([]))).toBeNull();
  });
});

describe('ID-DID-10: tolerant parsing', () => {
  it('unknown members, extra services and keys, malformed other services are ignored', () => {
    const d = parseDidDocument(
      {
        id: PLC,
        extra: { anything: true },
        verificationMethod: 'not even an array',
        service: [
          { weird: 1 },
          'string',
          { id: '#x', type: 'Y', serviceEndpoint: { map: 1 } },
          pdsService('https://pds.example.com'),
        ],
      },
      PLC,
    );
    expect(getPdsEndpoint(d)).toBe('https://pds.example.com');
    expect(d.extra).toEqual({ anything: true });
  });
});
