import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  buildClientMetadata,
  generateClientKey,
  Keyset,
  MemoryLock,
  MemorySessionStore,
  type OAuthClient,
  OAuthError,
  type SessionDeletedCause,
  type StoredSession,
} from '../src/index.js';
import { clientFor, login, SCOPE, Testnet, webClientMetadata } from './support/testnet-client.js';

let net: Testnet;
let alice: { did: string; handle: string };
let bob: { did: string; handle: string };

beforeAll(async () => {
  net = await Testnet.start();
  alice = await net.createAccount({ handle: 'alice.test' });
  bob = await net.createAccount({ handle: 'bob.test' });
  net.registerClient(webClientMetadata());
});
afterAll(() => net.stop());
beforeEach(() => net.resetFaults());

const refreshes = () =>
  net.requests('token').filter((r) => r.form?.grant_type?.[0] === 'refresh_token' && r.status === 200).length;

function recordingClient(extra: Parameters<typeof clientFor>[2] = {}) {
  const deleted: { did: string; sessionId: string; cause: SessionDeletedCause }[] = [];
  const updated: StoredSession[] = [];
  const client = clientFor(net, webClientMetadata(), {
    onSessionDeleted: (did, sessionId, cause) => deleted.push({ did, sessionId, cause }),
    onSessionUpdated: (s) => updated.push(s),
    ...extra,
  });
  return { client, deleted, updated };
}

async function getSession(session: { fetch: (u: string) => Promise<Response> }) {
  return session.fetch('/xrpc/com.atproto.server.getSession');
}

describe('refresh', () => {
  it('TOKEN-RESP-03: proactive — once the token is near expiry, the next fetch refreshes first (no 401)', async () => {
    let offset = 0;
    const { client, updated } = recordingClient({ clock: () => Date.now() + offset });
    const { session } = await login(client, 'alice.test');
    const before = session.expiresAt as number;
    offset = before - Date.now() + 1_000; // past expiry by our clock
    const res = await getSession(session);
    expect(res.status).toBe(200);
    expect(refreshes()).toBe(1);
    // the only 401s are nonce challenges (the first contact with the PDS), never invalid_token
    const calls = net.requests('com.atproto.server.getSession');
    expect(calls.filter((r) => r.error === 'InvalidToken')).toHaveLength(0);
    expect(updated).toHaveLength(1);
    expect(session.expiresAt).toBeGreaterThan(before);
  });

  it('REFRESH-06: reactive — a 401 invalid_token refreshes once and retries once', async () => {
    const { client } = recordingClient();
    const { session } = await login(client, 'alice.test');
    net.grants.expireAccessTokens(alice.did);
    const res = await getSession(session);
    expect(res.status).toBe(200);
    expect(refreshes()).toBe(1);
    const calls = net.requests('com.atproto.server.getSession').filter((c) => c.error !== 'UseDpopNonce');
    expect(calls.map((c) => [c.status, c.error])).toEqual([
      [401, 'InvalidToken'],
      [200, undefined],
    ]);
  });

  it('REFRESH-03: the refresh token rotates and the new one is stored in one write', async () => {
    const { client } = recordingClient();
    const { session } = await login(client, 'alice.test');
    const stored1 = (await client.sessionStore.get(session.did, session.sessionId)) as StoredSession;
    await session.refresh();
    const stored2 = (await client.sessionStore.get(session.did, session.sessionId)) as StoredSession;
    expect(stored2.tokens.refreshToken).not.toBe(stored1.tokens.refreshToken);
    expect(stored2.tokens.accessToken).not.toBe(stored1.tokens.accessToken);
    // DPOP-02: the refresh used the session's key
    const par = net.requests('par').find((r) => r.status === 201);
    const refresh = net.requests('token').find((r) => r.form?.grant_type?.[0] === 'refresh_token');
    expect(refresh?.dpop?.jkt).toBe(par?.dpop?.jkt);
  });

  it('REFRESH-04: a refresh that returns another account deletes the session with cause sub-mismatch', async () => {
    const { client, deleted } = recordingClient();
    const { session } = await login(client, 'alice.test');
    net.faults.refreshSub = bob.did;
    await expect(session.refresh()).rejects.toMatchObject({ code: 'SUB_MISMATCH' });
    expect(await client.sessionStore.get(session.did, session.sessionId)).toBeUndefined();
    expect(deleted).toHaveLength(1);
    expect(deleted[0]?.cause.type).toBe('sub-mismatch');
  });

  it('REFRESH-07: a refresh after the account moved to a PDS of another AS deletes the session', async () => {
    const { client, deleted } = recordingClient();
    const carol = await net.createAccount({ handle: 'carol.test' });
    const { session } = await login(client, 'carol.test');
    const foreign = await net.startForeignPds('https://elsewhere-as.example.com');
    net.plc.documents.set(carol.did, net.didDocument(carol.did, carol.handle, foreign.url));
    await expect(session.refresh()).rejects.toMatchObject({ code: 'ISSUER_MISMATCH' });
    expect(deleted.map((d) => d.cause.type)).toEqual(['sub-mismatch']);
  });
});

describe('refresh storms never spend a refresh token twice', () => {
  it('REFRESH-03: 1,000 concurrent session.fetch on an expired session → exactly 1 token request, 1,000 successes', async () => {
    const { client } = recordingClient();
    const { session } = await login(client, 'alice.test');
    net.grants.expireAccessTokens(alice.did);
    const results = await Promise.all(Array.from({ length: 1000 }, () => getSession(session)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1000);
    expect(refreshes()).toBe(1);
    expect(net.requests('token').filter((r) => r.error === 'invalid_grant')).toHaveLength(0);
  }, 60_000);

  it('two OAuthClient instances sharing a store and a lock in one process → still exactly 1 refresh', async () => {
    const store = new MemorySessionStore<StoredSession>();
    const lock = new MemoryLock();
    const a = recordingClient({ stores: { session: store }, lock }).client;
    const b = recordingClient({ stores: { session: store }, lock }).client;
    const { session } = await login(a, 'alice.test');
    const other = await b.restore(session.did, session.sessionId);
    net.grants.expireAccessTokens(alice.did);
    const results = await Promise.all([
      ...Array.from({ length: 50 }, () => getSession(session)),
      ...Array.from({ length: 50 }, () => getSession(other)),
    ]);
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(refreshes()).toBe(1);
  });
});

describe('ends of sessions', () => {
  it('REFRESH-05: a revoked grant → invalid_grant → session deleted, hook fired once', async () => {
    const { client, deleted } = recordingClient();
    const { session } = await login(client, 'alice.test');
    for (const g of net.grants.byId.values()) if (g.sub === alice.did) net.grants.revoke(g);
    const res = await getSession(session).catch((e: unknown) => e);
    expect(res).toBeInstanceOf(OAuthError);
    expect((res as OAuthError).code).toBe('SESSION_EXPIRED');
    expect(await client.sessionStore.get(session.did, session.sessionId)).toBeUndefined();
    expect(deleted).toHaveLength(1);
    expect(deleted[0]?.cause.type).toBe('refresh-failed');
  });

  it('REVOKE-01: sign-out revokes at the server — old access token 401, old refresh token invalid_grant', async () => {
    const { client, deleted } = recordingClient();
    const { session } = await login(client, 'alice.test');
    const stored = (await client.sessionStore.get(session.did, session.sessionId)) as StoredSession;
    await session.signOut();
    expect(await client.sessionStore.get(session.did, session.sessionId)).toBeUndefined();
    expect(deleted.map((d) => d.cause.type)).toEqual(['revoked']);
    // the revocation carried DPoP and the refresh token went first
    const revokes = net.requests('revoke');
    expect(revokes.map((r) => r.form?.token?.[0])).toEqual([stored.tokens.refreshToken, stored.tokens.accessToken]);
    expect(revokes.every((r) => r.dpop !== undefined)).toBe(true);
    expect(net.grants.accessTokens.has(stored.tokens.accessToken)).toBe(false);
    const grant = net.grants.byRefreshToken(stored.tokens.refreshToken as string);
    expect(grant?.revoked).toBe(true);
    // the signed-out object refuses further use without sending the revoked token
    const before = net.log.length;
    await expect(getSession(session)).rejects.toMatchObject({ code: 'SESSION_NOT_FOUND' });
    expect(net.log.length).toBe(before);
  });

  it('sign-out with the server down → local session gone, REVOCATION_FAILED reported', async () => {
    const { client, deleted } = recordingClient();
    const { session } = await login(client, 'alice.test');
    net.faults.revocationDown = true;
    await expect(session.signOut()).rejects.toMatchObject({ code: 'REVOCATION_FAILED' });
    expect(await client.sessionStore.get(session.did, session.sessionId)).toBeUndefined();
    expect(deleted).toHaveLength(1);
  });

  it('client.revoke(did) signs out every session of the account', async () => {
    const { client } = recordingClient();
    await login(client, 'alice.test');
    await login(client, 'alice.test');
    expect((await client.listSessions(alice.did)).length).toBeGreaterThanOrEqual(2);
    await client.revoke(alice.did);
    expect(await client.listSessions(alice.did)).toEqual([]);
  });
});

describe('confidential client key rotation', () => {
  it('META-CLIENT-18 / CONF-04: old sessions keep their kid until it is removed, then fail with KEY_RETIRED', async () => {
    const clientId = 'https://rotating.example.com/oauth-client-metadata.json';
    const meta = (keyset: Keyset) =>
      buildClientMetadata({ clientId, redirectUris: ['https://rotating.example.com/cb'], scope: SCOPE, keyset });
    const k1 = await generateClientKey({ kid: 'k1' });
    const k2 = await generateClientKey({ kid: 'k2' });
    const store = new MemorySessionStore<StoredSession>();
    const deleted: SessionDeletedCause[] = [];
    const make = (keyset: Keyset): OAuthClient => {
      net.registerClient(meta(keyset));
      return clientFor(net, meta(keyset), {
        keyset,
        stores: { session: store },
        onSessionDeleted: (_d, _s, cause) => deleted.push(cause),
      });
    };
    const v1 = make(await Keyset.from([k1]));
    const { session: old } = await login(v1, 'alice.test');

    // Rotation step 1: publish k2 next to k1. New sessions use k2; the old one still refreshes with k1.
    const v2 = make(await Keyset.from([k1, k2]));
    const { session: fresh } = await login(v2, 'alice.test');
    const kidOf = async (s: { did: string; sessionId: string }) =>
      ((await store.get(s.did, s.sessionId)) as StoredSession).authMethod;
    expect(await kidOf(fresh)).toEqual({ method: 'private_key_jwt', kid: 'k2' });
    expect(await kidOf(old)).toEqual({ method: 'private_key_jwt', kid: 'k1' });
    const oldOnV2 = await v2.restore(old.did, old.sessionId);
    await oldOnV2.refresh();
    expect(await kidOf(old)).toEqual({ method: 'private_key_jwt', kid: 'k1' });

    // Rotation step 2: retire k1. The old session fails by name; the new one keeps working.
    const v3 = make(await Keyset.from([k2]));
    const oldOnV3 = await v3.restore(old.did, old.sessionId);
    await expect(oldOnV3.refresh()).rejects.toMatchObject({ code: 'KEY_RETIRED' });
    expect(deleted.map((c) => c.type)).toEqual(['key-retired']);
    await (await v3.restore(fresh.did, fresh.sessionId)).refresh();
  });
});
