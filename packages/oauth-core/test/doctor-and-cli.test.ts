import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createNodeSafeFetch } from '@relay/identity/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildClientMetadata, doctor, generateClientKey, Keyset } from '../src/index.js';
import { base58btc, p256Multibase } from '../src/util/multibase.js';

const run = promisify(execFile);
const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const HOST = 'app.example.com';
const CLIENT_ID = `https://${HOST}/oauth-client-metadata.json`;

// A loopback web server playing the deployed app; the doctor reaches it through a host map.
const routes = new Map<string, { status: number; type: string; body: string; location?: string }>();
let server: Server;
let origin: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const r = routes.get(req.url ?? '');
    if (!r) return void res.writeHead(404).end();
    res.writeHead(r.status, { 'content-type': r.type, ...(r.location ? { location: r.location } : {}) }).end(r.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const fetch = () => createNodeSafeFetch({ hostMap: { [HOST]: origin }, allowHttp: true, allowLoopback: true });
function serve(path: string, body: unknown, extra: Partial<{ status: number; type: string; location: string }> = {}) {
  routes.set(path, { status: 200, type: 'application/json', body: JSON.stringify(body), ...extra });
}
const goodDoc = () =>
  buildClientMetadata({ clientId: CLIENT_ID, redirectUris: [`https://${HOST}/callback`], scope: 'atproto' });

describe('doctor(clientId)', () => {
  it('a correct deployed document is ok with no violations', async () => {
    serve('/oauth-client-metadata.json', goodDoc());
    const report = await doctor(CLIENT_ID, { fetch: fetch() });
    expect(report).toMatchObject({ ok: true, kind: 'public-web', violations: [] });
  });

  it('META-CLIENT-03: a redirect to the document is reported, not followed', async () => {
    serve('/oauth-client-metadata.json', {}, { status: 302, location: '/elsewhere.json' });
    const report = await doctor(CLIENT_ID, { fetch: fetch() });
    expect(report.ok).toBe(false);
    expect(report.violations[0]).toMatchObject({ id: 'META-CLIENT-03' });
    expect(report.violations[0]?.message).toContain('302');
  });

  it('META-CLIENT-03: text/html is reported', async () => {
    routes.set('/oauth-client-metadata.json', { status: 200, type: 'text/html', body: '<html></html>' });
    expect((await doctor(CLIENT_ID, { fetch: fetch() })).violations[0]?.id).toBe('META-CLIENT-03');
  });

  it('reports every broken rule of a sloppy document at once, each with its ID', async () => {
    serve('/oauth-client-metadata.json', {
      ...goodDoc(),
      client_id: `${CLIENT_ID}/`,
      dpop_bound_access_tokens: false,
      redirect_uris: ['http://app.example.com/cb'],
    });
    const ids = (await doctor(CLIENT_ID, { fetch: fetch() })).violations.map((v) => v.id);
    expect(ids).toEqual(expect.arrayContaining(['META-CLIENT-04', 'META-CLIENT-10', 'REDIRECT-02']));
  });

  it('META-CLIENT-14: a jwks_uri publishing a private key is reported', async () => {
    const key = await generateClientKey({ kid: 'k1' });
    serve('/oauth-client-metadata.json', {
      ...goodDoc(),
      token_endpoint_auth_method: 'private_key_jwt',
      token_endpoint_auth_signing_alg: 'ES256',
      jwks_uri: `https://${HOST}/jwks.json`,
    });
    serve('/jwks.json', { keys: [key] });
    const report = await doctor(CLIENT_ID, { fetch: fetch() });
    expect(report.kind).toBe('confidential');
    expect(report.violations.map((v) => [v.id, v.path])).toContainEqual(['META-CLIENT-14', 'jwks_uri#keys[0]']);
  });

  it('a loopback client id is checked without any request', async () => {
    expect((await doctor('http://localhost?scope=atproto')).ok).toBe(true);
    expect((await doctor('http://localhost:8080')).violations[0]?.id).toBe('LOOPBACK-02');
  });
});

describe('multibase form of a key', () => {
  it('base58btc re-encodes the published P-256 multikey example exactly', () => {
    const example = 'zDnaembgSGUhZULN2Caob4HLJPaxBh92N7rtH21TErzqf8HQo';
    const alphabet = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
    let n = 0n;
    for (const c of example.slice(1)) n = n * 58n + BigInt(alphabet.indexOf(c));
    const bytes = Uint8Array.from(Buffer.from(n.toString(16).padStart(70, '0'), 'hex'));
    expect([...bytes.slice(0, 2)]).toEqual([0x80, 0x24]);
    expect(bytes.length).toBe(35);
    expect(`z${base58btc(bytes)}`).toBe(example);
  });

  it('a generated key has the zDn prefix and a compressed point', async () => {
    const key = await generateClientKey();
    expect(p256Multibase(key)).toMatch(/^zDn[1-9A-HJ-NP-Za-km-z]{46}$/);
  });
});

describe('relay-oauth CLI', () => {
  it('--help and each command --help print usage', async () => {
    for (const args of [['--help'], ['keygen', '--help'], ['doctor', '--help'], ['metadata', '--help']]) {
      const { stdout } = await run('node', [CLI, ...args]);
      expect(stdout).toContain('relay-oauth');
    }
  });

  it('keygen prints a private JWK with kid, a public JWKS without "d" and the multibase form', async () => {
    const { stdout } = await run('node', [CLI, 'keygen', '--kid', 'prod-2026']);
    const out = JSON.parse(stdout);
    expect(out.privateJwk).toMatchObject({ kty: 'EC', crv: 'P-256', kid: 'prod-2026', alg: 'ES256' });
    expect(typeof out.privateJwk.d).toBe('string');
    expect(JSON.stringify(out.publicJwks)).not.toContain('"d"');
    expect(out.multibase).toBe(p256Multibase(out.privateJwk));
    await expect(Keyset.from([out.privateJwk])).resolves.toBeDefined();
  });

  it('metadata prints a validated document, and refuses an invalid one with a coded error', async () => {
    const { stdout } = await run('node', [
      CLI,
      'metadata',
      '--client-id',
      CLIENT_ID,
      '--redirect-uri',
      `https://${HOST}/cb`,
      '--scope',
      'atproto',
    ]);
    expect(JSON.parse(stdout)).toMatchObject({ client_id: CLIENT_ID, token_endpoint_auth_method: 'none' });
    const bad = await run('node', [
      CLI,
      'metadata',
      '--client-id',
      CLIENT_ID,
      '--redirect-uri',
      'http://insecure.example/cb',
      '--scope',
      'atproto',
    ]).catch((e: { code: number; stderr: string }) => e);
    expect((bad as { code: number }).code).toBe(1);
    expect((bad as { stderr: string }).stderr).toContain('CLIENT_METADATA_INVALID');
  });

  it('doctor exits 0 for a good client and 1 with the violated IDs for a bad one', async () => {
    serve('/oauth-client-metadata.json', goodDoc());
    const ok = await run('node', [CLI, 'doctor', CLIENT_ID, '--host-map', `${HOST}=${origin}`]);
    expect(ok.stdout).toContain('OK');
    serve('/oauth-client-metadata.json', { ...goodDoc(), dpop_bound_access_tokens: false });
    const bad = await run('node', [CLI, 'doctor', CLIENT_ID, '--host-map', `${HOST}=${origin}`]).catch(
      (e: { code: number; stdout: string }) => e,
    );
    expect((bad as { code: number }).code).toBe(1);
    expect((bad as { stdout: string }).stdout).toContain('META-CLIENT-10');
  });
});
