import { OAuthError, ScopeSet } from '@relay/oauth-core';
import { describe, expect, it } from 'vitest';
import { loginWithProviderApi } from '../src/index.js';
import { freshAccount, relayClient, relayLogin, requirePds, SCOPE, sharedPds } from './support/relay-client.js';

const { pds, skipReason } = sharedPds();

describe.skipIf(!pds)(
  `@relay/oauth-core login against the reference PDS${skipReason ? ` (skipped: ${skipReason})` : ''}`,
  () => {
    it('META-RS-07 / CLIENT-PAR-02 / TOKEN-SUB-02: login from a handle resolved by the PDS (XRPC resolveHandle)', async () => {
      const ref = requirePds();
      const account = await freshAccount(ref);
      const { client } = relayClient(ref, { handleVia: 'xrpc' });
      const { url, signedIn, session, state } = await relayLogin(client, account, { state: 'back-to-/library' });

      // CLIENT-PAR-07: only client_id and request_uri travel through the browser.
      expect([...url.searchParams.keys()].sort()).toEqual(['client_id', 'request_uri']);
      expect(url.origin).toBe(ref.issuer);
      // ISS-01: the provider names itself in the redirect, and the client accepted it.
      expect(signedIn.params.get('iss')).toBe(ref.issuer);
      expect(signedIn.did).toBe(account.did);
      expect(session.did).toBe(account.did);
      expect(session.issuer).toBe(ref.issuer);
      expect(session.serverUrl).toBe(ref.pdsUrl);
      expect(state).toBe('back-to-/library');
      // TOKEN-SCOPE-02: the PDS grants exactly the granular scope it was asked for.
      expect(ScopeSet.parse(SCOPE).toString()).toBe(session.scope.toString());
      expect(session.scopeDiff).toEqual({ missing: [], extra: [] });

      // The access token works on the PDS: an authenticated read of the account's own session.
      const res = await session.fetch('/xrpc/com.atproto.server.getSession');
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ did: account.did, handle: account.handle });
    });

    it('ID-HANDLE-06 / ID-HANDLE-11: login from a handle resolved at https://<handle>/.well-known/atproto-did through a host mapping', async () => {
      const ref = requirePds();
      const account = await freshAccount(ref);
      const { client, identity } = relayClient(ref, { handleVia: 'well-known', wellKnownHandles: [account.handle] });

      // The PDS itself serves the handle's well-known document (it looks at the Host header).
      const resolved = await identity.resolveIdentity(account.handle);
      expect(resolved).toMatchObject({ did: account.did, handle: account.handle, pds: ref.pdsUrl });

      const { session } = await relayLogin(client, account);
      expect(session.did).toBe(account.did);
      expect(session.scope.has('repo:app.relay.track')).toBe(true);
    });

    it('ID-HANDLE-06: without a mapping for the handle, well-known resolution finds nothing and no login starts', async () => {
      const ref = requirePds();
      const account = await freshAccount(ref);
      const { client } = relayClient(ref, { handleVia: 'well-known', wellKnownHandles: [] });
      const err = await client.authorize(account.handle).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OAuthError);
      // The unmapped name does not resolve (ENOTFOUND): "no answer", so the handle is not found.
      expect((err as OAuthError).code).toBe('IDENTITY_RESOLUTION_FAILED');
      expect(((err as OAuthError).cause as { code?: string } | undefined)?.code).toBe('IDENTITY_NOT_FOUND');
      expect((err as OAuthError).message).toContain(account.handle);
    });

    it('login from the DID and from the PDS URL (server-started flow) reach the same account', async () => {
      const ref = requirePds();
      const account = await freshAccount(ref);
      const { client } = relayClient(ref);
      const byDid = await relayLogin(client, account, { input: account.did });
      expect(byDid.session.did).toBe(account.did);
      // META-RS-08: from the server URL there is no login_hint; the user types the handle.
      const url = await client.authorize(ref.pdsUrl);
      const signedIn = await loginWithProviderApi(url, { username: account.handle, password: account.password });
      const { session } = await client.callback(signedIn.params);
      expect(session.did).toBe(account.did);
    });

    it('NONCE-01 / NONCE-04: the PDS demands a DPoP nonce at PAR; the client retries once and reuses it for the token request', async () => {
      const ref = requirePds();
      const account = await freshAccount(ref);
      const seen: Array<{ method: string; path: string; status: number; nonce: boolean }> = [];
      const { client } = relayClient(ref, {
        wrapFetch: (inner) => async (input, init) => {
          const res = await inner(input, init);
          const request = new Request(input, init);
          seen.push({
            method: request.method,
            path: new URL(request.url).pathname,
            status: res.status,
            nonce: res.headers.has('dpop-nonce'),
          });
          return res;
        },
      });
      await relayLogin(client, account);
      const oauth = seen.filter((s) => s.method === 'POST' && s.path.startsWith('/oauth/'));
      expect(oauth.map((s) => `${s.path} ${s.status}`)).toEqual([
        '/oauth/par 400',
        '/oauth/par 201',
        '/oauth/token 200',
      ]);
      expect(oauth[0]?.nonce).toBe(true);
    });

    it('CALLBACK-01: "Deny access" on the consent page is OAuthError ACCESS_DENIED, and the app state comes back', async () => {
      const ref = requirePds();
      const account = await freshAccount(ref);
      const { client } = relayClient(ref);
      const url = await client.authorize(account.handle, { state: 'denied-flow' });
      const denied = await loginWithProviderApi(url, {
        username: account.handle,
        password: account.password,
        deny: true,
      });
      expect(denied.params.get('error')).toBe('access_denied');
      expect(denied.params.get('iss')).toBe(ref.issuer);

      const err = await client.callback(denied.params).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OAuthError);
      expect((err as OAuthError).code).toBe('ACCESS_DENIED');
      expect((err as OAuthError).details).toMatchObject({ error: 'access_denied', appState: 'denied-flow' });
      // CLIENT-STATE-02: the state was consumed; replaying the same redirect is refused.
      const replay = await client.callback(denied.params).catch((e: unknown) => e);
      expect((replay as OAuthError).code).toBe('STATE_UNKNOWN');
    });

    it('a wrong password is refused by the provider and no redirect happens', async () => {
      const ref = requirePds();
      const account = await freshAccount(ref);
      const { client } = relayClient(ref);
      const url = await client.authorize(account.handle);
      await expect(
        loginWithProviderApi(url, { username: account.handle, password: `${account.password}-wrong` }),
      ).rejects.toMatchObject({ code: 'LOGIN_FAILED' });
    });

    it('TOKEN-SCOPE-02: the user consents to less than requested; session.scope and scopeDiff show it', async () => {
      const ref = requirePds();
      const account = await freshAccount(ref);
      const { client } = relayClient(ref);
      const url = await client.authorize(account.handle);
      const signedIn = await loginWithProviderApi(url, {
        username: account.handle,
        password: account.password,
        scope: 'atproto repo:app.relay.track',
      });
      const { session } = await client.callback(signedIn.params);
      expect(session.scope.has('blob:*/*')).toBe(false);
      expect(session.scopeDiff.missing).toEqual(['blob:*/*']);
      expect(session.scope.explain({ blob: 'audio/mpeg' }, { requested: SCOPE }).message).toContain('not granted');
    });
  },
);
