import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildLoopbackClientId, loopbackClientMetadata, type OAuthClient, OAuthError } from '../src/index.js';
import {
  clientFor,
  confidentialClient,
  consent,
  login,
  SCOPE,
  Testnet,
  webClientMetadata,
} from './support/testnet-client.js';

let net: Testnet;
let alice: { did: string; handle: string };
let bob: { did: string; handle: string };
let web: OAuthClient;

beforeAll(async () => {
  net = await Testnet.start();
  alice = await net.createAccount({ handle: 'alice.test', handleVia: 'dns' });
  bob = await net.createAccount({ handle: 'bob.test', handleVia: 'well-known', didMethod: 'web' });
  net.registerClient(webClientMetadata());
  web = clientFor(net, webClientMetadata());
});
afterAll(() => net.stop());
beforeEach(() => net.resetFaults());

async function writeTrack(session: Awaited<ReturnType<typeof login>>['session'], title: string) {
  const res = await session.fetch('/xrpc/com.atproto.repo.createRecord', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      repo: session.did,
      collection: 'app.relay.track',
      record: { $type: 'app.relay.track', title, createdAt: new Date().toISOString() },
    }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as { uri: string };
}

describe('login on the mock network ends in a written app.relay.track record', () => {
  it('public web client, from a handle (DNS TXT): session for the right DID, granted scope parsed', async () => {
    const { session } = await login(web, '@Alice.Test', { state: 'app-state-1' });
    expect(session.did).toBe(alice.did);
    expect(session.issuer).toBe(net.as.issuer);
    expect(session.scope.allows({ repo: 'app.relay.track', action: 'create' })).toBe(true);
    expect(session.scope.allows({ repo: 'app.bsky.feed.post', action: 'create' })).toBe(false);
    const { uri } = await writeTrack(session, 'From a handle');
    expect(uri.startsWith(`at://${alice.did}/app.relay.track/`)).toBe(true);
    expect(net.pds.records(alice.did, 'app.relay.track').map((r) => r.value.title)).toContain('From a handle');
  });

  it('callback returns the app state given to authorize', async () => {
    const url = await web.authorize('alice.test', { state: 'return-to=/dashboard' });
    const result = await web.callback(await consent(url));
    expect(result.state).toBe('return-to=/dashboard');
  });

  it('public web client, from a did:web DID whose handle resolves by HTTPS well-known', async () => {
    const { session } = await login(web, bob.did);
    expect(session.did).toBe(bob.did);
    await writeTrack(session, 'From a DID');
  });

  it('public web client, from a handle resolved by well-known only', async () => {
    const { session } = await login(web, 'bob.test');
    expect(session.did).toBe(bob.did);
  });

  it('META-RS-08: from a PDS URL, no login_hint is sent and the issuer is bound', async () => {
    const { session } = await login(web, net.pds.url);
    expect(session.did).toBe(alice.did); // the AS's default account
    const par = net.requests('par').find((r) => r.status === 201);
    expect(par?.form?.login_hint).toBeUndefined();
    await writeTrack(session, 'From a PDS URL');
  });

  it('CLIENT-PAR-08: identity-started flows send login_hint', async () => {
    await login(web, 'alice.test');
    expect(net.requests('par').find((r) => r.status === 201)?.form?.login_hint).toEqual(['alice.test']);
  });

  it('loopback development client (http://localhost) logs in and writes', async () => {
    const clientId = buildLoopbackClientId({ redirectUris: ['http://127.0.0.1:8080/callback'], scope: SCOPE });
    const client = clientFor(net, loopbackClientMetadata(clientId));
    const { session } = await login(client, 'alice.test');
    await writeTrack(session, 'From a loopback client');
    // LOOPBACK-06: a localhost client never sends a client assertion.
    const par = net.requests('par').find((r) => r.status === 201);
    expect(par?.form?.client_assertion).toBeUndefined();
    expect(par?.form?.client_id).toEqual([clientId]);
  });

  it('confidential client (private_key_jwt) logs in and writes; every AS call carries an assertion', async () => {
    const { client } = await confidentialClient(net);
    const { session } = await login(client, 'alice.test');
    await writeTrack(session, 'From a confidential client');
    for (const r of net.log.filter((x) => x.server === 'as' && x.method === 'POST' && x.status < 300)) {
      // CONF-01
      expect(r.form?.client_assertion_type).toEqual(['urn:ietf:params:oauth:client-assertion-type:jwt-bearer']);
      expect(r.form?.client_assertion?.length).toBe(1);
    }
  });

  it('CLIENT-PAR-02/03, PKCE, DPoP: PAR carries exactly the required fields, no secret, a DPoP proof', async () => {
    await login(web, 'alice.test');
    const par = net.requests('par').find((r) => r.status === 201);
    const fields = Object.keys(par?.form ?? {}).sort();
    expect(fields).toEqual(
      [
        'client_id',
        'code_challenge',
        'code_challenge_method',
        'login_hint',
        'redirect_uri',
        'response_type',
        'scope',
        'state',
      ].sort(),
    );
    expect(par?.form?.code_challenge_method).toEqual(['S256']);
    expect(par?.dpop?.claims.htm).toBe('POST');
    // CLIENT-STATE-01: state is opaque and at least 128 bits.
    expect(par?.form?.state?.[0]).toMatch(/^[A-Za-z0-9_-]{43,}$/);
    const token = net.requests('token').find((r) => r.status === 200);
    // DPOP-02: the token request uses the PAR key.
    expect(token?.dpop?.jkt).toBe(par?.dpop?.jkt);
    expect(token?.form?.code_verifier?.[0]).toMatch(/^[A-Za-z0-9._~-]{43,128}$/);
  });

  it('DPOP-02: two logins use two different DPoP keys', async () => {
    await login(web, 'alice.test');
    await login(web, 'alice.test');
    const jkts = net
      .requests('par')
      .filter((r) => r.status === 201)
      .map((r) => r.dpop?.jkt);
    expect(new Set(jkts).size).toBe(2);
  });

  it('NONCE-01/06: a nonce demanded everywhere and rotated on every response still succeeds', async () => {
    net.faults.nonceRotateEvery = 1;
    const { session } = await login(web, 'alice.test');
    await writeTrack(session, 'Under nonce churn');
  });

  it('a session restores from the store and keeps working', async () => {
    const { session } = await login(web, 'alice.test');
    const restored = await web.restore(session.did, session.sessionId);
    await writeTrack(restored, 'Restored');
    expect(await web.listSessions(alice.did)).toContain(session.sessionId);
  });

  it('session.fetch refuses to send the token to another origin', async () => {
    const { session } = await login(web, 'alice.test');
    await expect(session.fetch('https://evil.example/xrpc/x')).rejects.toMatchObject({ code: 'URL_NOT_ALLOWED' });
  });
});

describe('each broken step fails with its own typed error and stores no session', () => {
  async function expectFailure(run: () => Promise<unknown>, code: string, did = alice.did) {
    const before = (await web.listSessions(did)).length;
    const err = await run().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(OAuthError);
    expect((err as OAuthError).code).toBe(code);
    expect((await web.listSessions(did)).length).toBe(before);
  }

  it('ISS-01: a wrong iss is ISSUER_MISMATCH, before any token request', async () => {
    net.faults.issParam = 'wrong';
    await expectFailure(() => login(web, 'alice.test'), 'ISSUER_MISMATCH');
    expect(net.requests('token')).toHaveLength(0);
  });

  it('ISS-02: a missing iss is ISSUER_MISSING', async () => {
    net.faults.issParam = 'missing';
    await expectFailure(() => login(web, 'alice.test'), 'ISSUER_MISSING');
    expect(net.requests('token')).toHaveLength(0);
  });

  it('CLIENT-STATE-02: a replayed callback is STATE_UNKNOWN', async () => {
    const params = await consent(await web.authorize('alice.test'));
    await web.callback(params);
    await expectFailure(() => web.callback(params), 'STATE_UNKNOWN');
  });

  it('CLIENT-STATE-02: an unknown or missing state is STATE_UNKNOWN', async () => {
    await expectFailure(
      () => web.callback(new URLSearchParams({ state: 'made-up', code: 'x', iss: net.as.issuer })),
      'STATE_UNKNOWN',
    );
    await expectFailure(() => web.callback(new URLSearchParams({ code: 'x' })), 'STATE_UNKNOWN');
  });

  it('CALLBACK-01: access_denied is ACCESS_DENIED and the token endpoint is never called', async () => {
    net.faults.consent = { approve: false };
    await expectFailure(() => login(web, 'alice.test'), 'ACCESS_DENIED');
    expect(net.requests('token')).toHaveLength(0);
  });

  it('TOKEN-SUB-02: a sub of another account is SUB_MISMATCH, and the tokens are revoked', async () => {
    net.faults.tokenSub = bob.did;
    const bobSessions = (await web.listSessions(bob.did)).length;
    await expectFailure(() => login(web, 'alice.test'), 'SUB_MISMATCH');
    expect(net.requests('revoke').some((r) => r.status === 200)).toBe(true);
    expect(await web.listSessions(bob.did)).toHaveLength(bobSessions);
    // the revoked grant is dead: its tokens were revoked at the AS
    expect([...net.grants.byId.values()].filter((g) => g.revoked).length).toBeGreaterThan(0);
  });

  it('TOKEN-SUB-03: a sub whose PDS names another authorization server is ISSUER_MISMATCH', async () => {
    const foreign = await net.startForeignPds('https://other-as.example.com');
    const mallory = await net.createAccount({ handle: 'mallory.test', pdsUrl: foreign.url });
    net.faults.tokenSub = mallory.did;
    // server-started flow: no expected DID, so only the issuer binding can catch it
    await expectFailure(() => login(web, net.pds.url), 'ISSUER_MISMATCH', mallory.did);
  });

  it('META-RS-03: two authorization servers in the PRM is METADATA_INVALID', async () => {
    net.faults.prmMetadata = (m) => {
      m.authorization_servers = [net.as.issuer, 'https://as2.example.com'];
    };
    await expectFailure(() => clientFor(net, webClientMetadata()).authorize('alice.test'), 'METADATA_INVALID');
  });

  it.each([
    ['no PAR endpoint', (m: Record<string, unknown>) => delete m.pushed_authorization_request_endpoint],
    ['no ES256 for DPoP', (m: Record<string, unknown>) => (m.dpop_signing_alg_values_supported = ['RS256'])],
    ['no atproto scope', (m: Record<string, unknown>) => (m.scopes_supported = ['transition:generic'])],
  ])('AS-META: metadata with %s is METADATA_INVALID', async (_label, change) => {
    net.faults.asMetadata = change;
    await expectFailure(() => clientFor(net, webClientMetadata()).authorize('alice.test'), 'METADATA_INVALID');
    expect(net.requests('par')).toHaveLength(0);
  });

  it('META-RS-06: an AS whose protected_resources omits the PDS is METADATA_INVALID; one listing it is fine', async () => {
    net.faults.asMetadata = (m) => {
      m.protected_resources = ['https://some-other-pds.example.com'];
    };
    await expectFailure(() => clientFor(net, webClientMetadata()).authorize('alice.test'), 'METADATA_INVALID');
    net.faults.asMetadata = (m) => {
      m.protected_resources = [net.pds.url];
    };
    await expect(clientFor(net, webClientMetadata()).authorize('alice.test')).resolves.toBeInstanceOf(URL);
  });

  it.each(['as-metadata', 'prm'] as const)('HTML where JSON is due (%s) is METADATA_INVALID', async (endpoint) => {
    net.faults.htmlInsteadOfJson.add(endpoint);
    await expectFailure(() => clientFor(net, webClientMetadata()).authorize('alice.test'), 'METADATA_INVALID');
  });

  it('HTML from the token endpoint is TOKEN_RESPONSE_INVALID', async () => {
    net.faults.htmlInsteadOfJson.add('token');
    await expectFailure(() => login(web, 'alice.test'), 'TOKEN_RESPONSE_INVALID');
  });

  it('TOKEN-RESP-01: a Bearer token_type is TOKEN_RESPONSE_INVALID', async () => {
    net.faults.tokenResponse = { token_type: 'Bearer' };
    await expectFailure(() => login(web, 'alice.test'), 'TOKEN_RESPONSE_INVALID');
  });

  it('TOKEN-SCOPE-01: a granted scope without atproto is TOKEN_RESPONSE_INVALID', async () => {
    net.faults.tokenResponse = { scope: 'repo:app.relay.track' };
    await expectFailure(() => login(web, 'alice.test'), 'TOKEN_RESPONSE_INVALID');
  });

  it('CLIENT-PAR-04: a scope the metadata does not declare is refused before any request', async () => {
    const count = net.log.length;
    await expect(web.authorize('alice.test', { scope: 'atproto transition:generic' })).rejects.toMatchObject({
      code: 'SCOPE_NOT_DECLARED',
    });
    expect(net.log.length).toBe(count);
  });

  it('an unknown handle is IDENTITY_RESOLUTION_FAILED', async () => {
    await expect(web.authorize('nobody.test')).rejects.toMatchObject({ code: 'IDENTITY_RESOLUTION_FAILED' });
  });
});
