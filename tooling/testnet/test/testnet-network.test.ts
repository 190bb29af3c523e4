import { Resolver } from 'node:dns/promises';
import { createDpopProof, type DpopKey, generateDpopKey } from '@relay/dpop';
import { buildLoopbackClientId } from '@relay/oauth-core';
import { generatePkce } from '@relay/pkce';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Testnet } from '../src/index.js';

// These tests drive the mock network by hand (raw HTTP + @relay/dpop proofs), so they check the
// network itself, independently of @relay/oauth-core's client.

let net: Testnet;
let alice: { did: string; handle: string };
const SCOPE = 'atproto repo:app.relay.track blob:audio/*';
const clientId = buildLoopbackClientId({ redirectUris: ['http://127.0.0.1/cb'], scope: SCOPE });

beforeAll(async () => {
  net = await Testnet.start();
  alice = await net.createAccount({ handle: 'alice.test', handleVia: 'both' });
});
afterAll(async () => {
  await net.stop();
});
beforeEach(() => net.resetFaults());

/** A POST/GET with a DPoP proof that retries once on use_dpop_nonce, like a client would. */
async function dpopFetch(
  key: DpopKey,
  url: string,
  init: { method?: string; form?: Record<string, string>; json?: unknown; accessToken?: string; nonce?: string } = {},
) {
  const method = init.method ?? (init.form || init.json ? 'POST' : 'GET');
  let nonce = init.nonce;
  for (let attempt = 0; ; attempt++) {
    const proof = await createDpopProof(key, {
      htm: method,
      htu: url,
      ...(nonce ? { nonce } : {}),
      ...(init.accessToken ? { accessToken: init.accessToken } : {}),
    });
    const headers: Record<string, string> = { dpop: proof };
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    } else if (init.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(init.json);
    }
    if (init.accessToken) headers.authorization = `DPoP ${init.accessToken}`;
    const res = await fetch(url, { method, headers, ...(body !== undefined ? { body } : {}) });
    const fresh = res.headers.get('dpop-nonce') ?? undefined;
    const text = await res.text();
    const isNonceError =
      (res.status === 400 && text.includes('use_dpop_nonce')) ||
      (res.status === 401 && (res.headers.get('www-authenticate') ?? '').includes('use_dpop_nonce'));
    if (isNonceError && attempt === 0 && fresh) {
      nonce = fresh;
      continue;
    }
    return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text), nonce: fresh };
  }
}

async function login(options: { scope?: string } = {}) {
  const key = await generateDpopKey();
  const pkce = await generatePkce();
  const par = await dpopFetch(key, `${net.as.issuer}/oauth/par`, {
    form: {
      client_id: clientId,
      response_type: 'code',
      code_challenge: pkce.challenge,
      code_challenge_method: 'S256',
      state: 'st-1',
      redirect_uri: 'http://127.0.0.1/cb',
      scope: options.scope ?? SCOPE,
      login_hint: alice.handle,
    },
  });
  expect(par.status).toBe(201);
  const authorize = await fetch(
    `${net.as.issuer}/oauth/authorize?client_id=${encodeURIComponent(clientId)}&request_uri=${encodeURIComponent(par.json().request_uri)}`,
    { redirect: 'manual' },
  );
  const location = new URL(authorize.headers.get('location') ?? '');
  const token = await dpopFetch(key, `${net.as.issuer}/oauth/token`, {
    form: {
      grant_type: 'authorization_code',
      client_id: clientId,
      code: location.searchParams.get('code') ?? '',
      redirect_uri: 'http://127.0.0.1/cb',
      code_verifier: pkce.verifier,
    },
  });
  return { key, pkce, location, token };
}

describe('testnet: identity pieces', () => {
  it('the DNS server answers _atproto TXT over real UDP; unknown names are NXDOMAIN', async () => {
    const resolver = new Resolver();
    resolver.setServers([net.dns.address]);
    expect(await resolver.resolveTxt('_atproto.alice.test')).toEqual([[`did=${alice.did}`]]);
    await expect(resolver.resolveTxt('_atproto.nobody.test')).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });

  it('the PLC directory serves the DID document naming the PDS; unknown DIDs are 404', async () => {
    const doc = await (await fetch(`${net.plc.url}/${encodeURIComponent(alice.did)}`)).json();
    expect(doc.id).toBe(alice.did);
    expect(doc.alsoKnownAs).toEqual(['at://alice.test']);
    expect(doc.service[0].serviceEndpoint).toBe(net.pds.url);
    expect((await fetch(`${net.plc.url}/did:plc:aaaaaaaaaaaaaaaaaaaaaaaa`)).status).toBe(404);
  });

  it('the handle host answers /.well-known/atproto-did through the host map', async () => {
    const origin = net.endpoints.hostMap['alice.test'];
    const res = await fetch(`${origin}/.well-known/atproto-did`);
    expect((await res.text()).trim()).toBe(alice.did);
  });

  it('did:web accounts get their did.json on their own host', async () => {
    const bob = await net.createAccount({ handle: 'bob.test', didMethod: 'web' });
    expect(bob.did).toBe('did:web:bob.test');
    const doc = await (await fetch(`${net.endpoints.hostMap['bob.test']}/.well-known/did.json`)).json();
    expect(doc.id).toBe('did:web:bob.test');
  });
});

describe('testnet: authorization server and PDS', () => {
  it('serves profile-conforming metadata and a PRM naming exactly one AS', async () => {
    const meta = await (await fetch(`${net.as.issuer}/.well-known/oauth-authorization-server`)).json();
    expect(meta.issuer).toBe(net.as.issuer);
    expect(meta.require_pushed_authorization_requests).toBe(true);
    const prm = await (await fetch(`${net.pds.url}/.well-known/oauth-protected-resource`)).json();
    expect(prm).toEqual({ resource: net.pds.url, authorization_servers: [net.as.issuer] });
  });

  it('NONCE-01: PAR without a nonce gets 400 use_dpop_nonce with a DPoP-Nonce header', async () => {
    const key = await generateDpopKey();
    const proof = await createDpopProof(key, { htm: 'POST', htu: `${net.as.issuer}/oauth/par` });
    const res = await fetch(`${net.as.issuer}/oauth/par`, { method: 'POST', headers: { dpop: proof }, body: '' });
    expect(res.status).toBe(400);
    expect((await res.json()).error).toBe('use_dpop_nonce');
    expect(res.headers.get('dpop-nonce')).toBeTruthy();
  });

  it('full flow: PAR → authorize (scripted consent) → token → createRecord → listRecords', async () => {
    const { key, location, token } = await login();
    expect(location.searchParams.get('state')).toBe('st-1');
    expect(location.searchParams.get('iss')).toBe(net.as.issuer);
    expect(token.status).toBe(200);
    const t = token.json();
    expect(t).toMatchObject({ token_type: 'DPoP', scope: SCOPE, sub: alice.did });
    const created = await dpopFetch(key, `${net.pds.url}/xrpc/com.atproto.repo.createRecord`, {
      json: { repo: alice.did, collection: 'app.relay.track', record: { title: 'Song' } },
      accessToken: t.access_token,
    });
    expect(created.status).toBe(200);
    expect(created.json().uri).toMatch(/^at:\/\/did:plc:[a-z2-7]{24}\/app\.relay\.track\//);
    const list = await fetch(
      `${net.pds.url}/xrpc/com.atproto.repo.listRecords?repo=${alice.did}&collection=app.relay.track`,
    );
    expect((await list.json()).records.map((r: { value: { title: string } }) => r.value.title)).toContain('Song');
  });

  it('PERM: a write outside the granted scope is 403 ScopeMissingError', async () => {
    const { key, token } = await login();
    const res = await dpopFetch(key, `${net.pds.url}/xrpc/com.atproto.repo.createRecord`, {
      json: { repo: alice.did, collection: 'app.bsky.feed.post', record: {} },
      accessToken: token.json().access_token,
    });
    expect(res.status).toBe(403);
    expect(res.json().error).toBe('ScopeMissingError');
  });

  it('DPOP-SRV-05: the access token under the Bearer scheme is refused with 401', async () => {
    const { token } = await login();
    const res = await fetch(`${net.pds.url}/xrpc/com.atproto.server.getSession`, {
      headers: { authorization: `Bearer ${token.json().access_token}` },
    });
    expect(res.status).toBe(401);
  });

  it('DPOP-SRV-04: a token request signed by another key than the PAR key is refused', async () => {
    const key = await generateDpopKey();
    const other = await generateDpopKey();
    const pkce = await generatePkce();
    const par = await dpopFetch(key, `${net.as.issuer}/oauth/par`, {
      form: {
        client_id: clientId,
        response_type: 'code',
        code_challenge: pkce.challenge,
        code_challenge_method: 'S256',
        state: 's',
        redirect_uri: 'http://127.0.0.1/cb',
        scope: SCOPE,
      },
    });
    const auth = await fetch(
      `${net.as.issuer}/oauth/authorize?client_id=${encodeURIComponent(clientId)}&request_uri=${encodeURIComponent(par.json().request_uri)}`,
      { redirect: 'manual' },
    );
    const code = new URL(auth.headers.get('location') ?? '').searchParams.get('code') ?? '';
    const token = await dpopFetch(other, `${net.as.issuer}/oauth/token`, {
      form: {
        grant_type: 'authorization_code',
        client_id: clientId,
        code,
        redirect_uri: 'http://127.0.0.1/cb',
        code_verifier: pkce.verifier,
      },
    });
    expect(token.status).toBe(400);
    expect(token.json().error).toBe('invalid_grant');
  });

  it('PKCE-03: PAR with code_challenge_method=plain is refused', async () => {
    const key = await generateDpopKey();
    const res = await dpopFetch(key, `${net.as.issuer}/oauth/par`, {
      form: {
        client_id: clientId,
        response_type: 'code',
        code_challenge: 'a'.repeat(43),
        code_challenge_method: 'plain',
        state: 's',
        redirect_uri: 'http://127.0.0.1/cb',
        scope: SCOPE,
      },
    });
    expect(res.status).toBe(400);
  });

  it('REFRESH-08: replaying a rotated refresh token kills the whole grant', async () => {
    const { key, token } = await login();
    const first = token.json();
    const refresh = (rt: string) =>
      dpopFetch(key, `${net.as.issuer}/oauth/token`, {
        form: { grant_type: 'refresh_token', client_id: clientId, refresh_token: rt },
      });
    const second = await refresh(first.refresh_token);
    expect(second.status).toBe(200);
    const replay = await refresh(first.refresh_token);
    expect(replay.json().error).toBe('invalid_grant');
    // the newest refresh token died with the grant
    expect((await refresh(second.json().refresh_token)).json().error).toBe('invalid_grant');
  });

  it('consent denial redirects with access_denied, state and iss (ISS-03)', async () => {
    net.faults.consent = { approve: false };
    const { location } = await login();
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(location.searchParams.get('iss')).toBe(net.as.issuer);
    expect(location.searchParams.get('code')).toBeNull();
  });

  it('every AS and PDS request is logged with its verified DPoP claims', async () => {
    await login();
    const par = net.requests('par').filter((r) => r.status === 201);
    expect(par).toHaveLength(1);
    expect(par[0]?.dpop?.claims.htm).toBe('POST');
    expect(par[0]?.form?.code_challenge_method).toEqual(['S256']);
  });
});
