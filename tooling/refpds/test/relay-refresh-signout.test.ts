import { importDpopKey } from '@relay/dpop';
import { type OAuthClient, OAuthError, type StoredSession } from '@relay/oauth-core';
import { describe, expect, it } from 'vitest';
import { freshAccount, relayClient, relayLogin, requirePds, sharedPds } from './support/relay-client.js';

const { pds, skipReason } = sharedPds();

async function stored(client: OAuthClient, did: string, sessionId: string): Promise<StoredSession> {
  const found = await client.sessionStore.get(did, sessionId);
  if (!found) throw new Error(`no stored session ${sessionId}`);
  return found;
}

/** A DPoP-bound PDS request with a given (possibly revoked) access token and the session's key. */
async function getSessionWith(client: OAuthClient, session: StoredSession, accessToken: string): Promise<Response> {
  const fetch = client.dpopFetch(await importDpopKey(session.dpopKey), () => accessToken);
  return fetch(new URL('/xrpc/com.atproto.server.getSession', session.pds));
}

/** A raw refresh_token grant at the issuer's token endpoint, DPoP-signed with the session's key. */
async function refreshGrant(client: OAuthClient, session: StoredSession, refreshToken: string) {
  const fetch = client.dpopFetch(await importDpopKey(session.dpopKey));
  const res = await fetch(new URL('/oauth/token', session.issuer), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: client.metadata.client_id,
    }).toString(),
  });
  return { status: res.status, body: (await res.json()) as { error?: string; access_token?: string } };
}

describe.skipIf(!pds)(
  `refresh and sign-out of Relay sessions on the reference PDS${skipReason ? ` (skipped: ${skipReason})` : ''}`,
  () => {
    it('REFRESH-02 / REFRESH-03: a forced refresh rotates both tokens; the new ones work, the old refresh token is spent', async () => {
      const ref = requirePds();
      const account = await freshAccount(ref);
      const { client } = relayClient(ref);
      const { session } = await relayLogin(client, account);
      const before = await stored(client, session.did, session.sessionId);
      expect(before.tokens.refreshToken).toBeTruthy();

      const after = await client.refresh(before);
      expect(after.tokens.accessToken).not.toBe(before.tokens.accessToken);
      expect(after.tokens.refreshToken).not.toBe(before.tokens.refreshToken);
      expect(after.tokens.scope).toBe(before.tokens.scope);
      // REFRESH-03: the store holds the new pair.
      expect((await stored(client, session.did, session.sessionId)).tokens.refreshToken).toBe(
        after.tokens.refreshToken,
      );

      await session.reload();
      const res = await session.fetch('/xrpc/com.atproto.server.getSession');
      expect(res.status).toBe(200);
      await res.body?.cancel();
      // The spent refresh token is refused by the provider.
      const replay = await refreshGrant(client, before, before.tokens.refreshToken as string);
      expect(replay.status).toBe(400);
      expect(replay.body.error).toBe('invalid_grant');
    });

    it('TOKEN-RESP-03: when the clock passes expires_at, session.fetch refreshes on its own before sending', async () => {
      const ref = requirePds();
      const account = await freshAccount(ref);
      let now = Date.now();
      const { client } = relayClient(ref, { extra: { clock: () => now } });
      const { session } = await relayLogin(client, account);
      const before = await stored(client, session.did, session.sessionId);
      expect(session.expiresAt).toBeGreaterThan(now);

      now = (session.expiresAt as number) + 1_000;
      const res = await session.fetch('/xrpc/com.atproto.server.getSession');
      expect(res.status).toBe(200);
      await res.body?.cancel();
      const after = await stored(client, session.did, session.sessionId);
      expect(after.tokens.accessToken).not.toBe(before.tokens.accessToken);
      expect(after.updatedAt).toBe(now);
    });

    it('REVOKE-01: session.signOut() revokes at the provider: old access token → 401 invalid_token, old refresh token → invalid_grant', async () => {
      const ref = requirePds();
      const account = await freshAccount(ref);
      const { client } = relayClient(ref);
      const { session } = await relayLogin(client, account);
      const old = await stored(client, session.did, session.sessionId);
      expect((await getSessionWith(client, old, old.tokens.accessToken)).status).toBe(200);

      await session.signOut();
      expect(await client.sessionStore.get(session.did, session.sessionId)).toBeUndefined();

      // The signed-out session object cannot be used any more.
      const after = await session.fetch('/xrpc/com.atproto.server.getSession').catch((e: unknown) => e);
      expect(after).toBeInstanceOf(OAuthError);
      expect((after as OAuthError).code).toBe('SESSION_NOT_FOUND');

      const res = await getSessionWith(client, old, old.tokens.accessToken);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^DPoP .*error="invalid_token"/);
      await res.body?.cancel();

      const grant = await refreshGrant(client, old, old.tokens.refreshToken as string);
      expect(grant.status).toBe(400);
      expect(grant.body.error).toBe('invalid_grant');

      // REFRESH-05: the client turns that invalid_grant into SESSION_EXPIRED and drops the session.
      await client.sessionStore.set(old.did, old.sessionId, old);
      const err = await client.refresh(old).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OAuthError);
      expect((err as OAuthError).code).toBe('SESSION_EXPIRED');
      expect(await client.sessionStore.get(old.did, old.sessionId)).toBeUndefined();
    });
  },
);
