import type { Scenario } from '../scenario.js';
import { field } from './inspect.js';

/** Refresh: what is sent, when, how often, and what a bad answer does. */
export const refresh: Scenario = {
  id: 'refresh',
  title:
    'Refresh: request shape, same key, single flight, early refresh, invalid_token recovery, sub change, invalid_grant',
  judges: [
    'REFRESH-01',
    'REFRESH-02',
    'REFRESH-03',
    'REFRESH-04',
    'REFRESH-05',
    'REFRESH-06',
    'REFRESH-07',
    'TOKEN-RESP-03',
    'DPOP-02',
    'SCOPE-08',
  ],
  async run(ctx) {
    const { net } = ctx;
    const s = await ctx.mustLogin('alice.test');
    const loginJkt = ctx.requests('token').find((t) => t.status === 200)?.dpop?.jkt;
    const r = await ctx.driver.refresh(s.did);
    ctx.requireSupported(r, 'refresh');
    const refreshes = ctx
      .requests('token')
      .filter((t) => field(t, 'grant_type') === 'refresh_token' && t.status === 200);
    const req = refreshes[0];
    ctx.check(
      'REFRESH-02',
      !r.refused &&
        !!req &&
        !!field(req, 'refresh_token') &&
        field(req, 'client_id') !== undefined &&
        req.dpop !== undefined,
      `refresh ${r.refused ? r.message : 'sent'}: fields ${Object.keys(req?.form ?? {}).join(',')}`,
    );
    ctx.check('DPOP-02', req?.dpop?.jkt === loginJkt, 'the refresh used another DPoP key');

    // REFRESH-06: the PDS says invalid_token → one refresh, one retry.
    ctx.reset();
    net.grants.expireAccessTokens(s.did);
    const w = await ctx.writeRecord(s.did, 'after expiry');
    const tokenCalls = ctx.requests('token').length;
    ctx.check(
      'REFRESH-06',
      !w.refused && w.status === 200 && tokenCalls === 1,
      `write after expiry: ${w.refused ? w.message : w.status}, ${tokenCalls} token calls`,
    );

    // REFRESH-03: concurrent requests with a dead token cause exactly one refresh.
    ctx.reset();
    net.grants.expireAccessTokens(s.did);
    const results = await Promise.all([1, 2, 3, 4].map((i) => ctx.writeRecord(s.did, `concurrent ${i}`)));
    const concurrentRefreshes = ctx.requests('token').length;
    ctx.check(
      'REFRESH-03',
      concurrentRefreshes === 1 && results.every((x) => !x.refused && x.status === 200),
      `${concurrentRefreshes} refreshes for 4 concurrent calls; statuses ${results.map((x) => (x.refused ? x.code : x.status)).join(',')}`,
    );
    ctx.check(
      'REFRESH-03',
      !ctx.requests('token').some((t) => t.error === 'invalid_grant'),
      'a spent refresh token was sent again',
    );

    // TOKEN-RESP-03: a token that expired (expires_in 1 s) is refreshed before it is sent again,
    // rather than discovered dead by a 401 from the PDS.
    ctx.reset();
    net.faults.accessTokenTtl = 1;
    await ctx.driver.refresh(s.did);
    ctx.reset();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const early = await ctx.writeRecord(s.did, 'early refresh');
    const earlyRefresh = ctx.requests('token').length;
    const sentDead = ctx.requests('com.atproto.repo.createRecord').some((r) => r.error === 'InvalidToken');
    ctx.check(
      'TOKEN-RESP-03',
      !early.refused && earlyRefresh >= 1 && !sentDead,
      `expired token sent to the PDS first (token calls ${earlyRefresh})`,
    );

    // SCOPE-08: a 403 is not a dead session.
    ctx.reset();
    net.faults.pdsOverride = (path) =>
      path === 'com.atproto.server.getSession'
        ? {
            status: 403,
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ error: 'ScopeMissingError', message: 'Missing required scope' }),
          }
        : undefined;
    const forbidden = await ctx.xrpc(s.did, 'com.atproto.server.getSession');
    const still = await ctx.driver.session(s.did);
    ctx.check(
      'SCOPE-08',
      !forbidden.refused && forbidden.status === 403 && ctx.requests('token').length === 0 && !still.refused,
      `403: ${forbidden.refused ? forbidden.message : forbidden.status}, token calls ${ctx.requests('token').length}, session ${still.refused ? 'gone' : 'kept'}`,
    );

    // REFRESH-04: a refresh that changes the account ends the session.
    ctx.reset();
    const bob = await ctx.account({ handle: 'bob.test' });
    net.faults.refreshSub = bob.did;
    await ctx.driver.refresh(s.did);
    const afterSub = await ctx.driver.session(s.did);
    const w2 = await ctx.writeRecord(s.did, 'after sub change');
    ctx.check(
      'REFRESH-04',
      afterSub.refused && (w2.refused || w2.status >= 400),
      'the session survived a refresh with another sub',
    );

    // REFRESH-05: invalid_grant ends the session.
    ctx.reset();
    const s2 = await ctx.mustLogin('alice.test');
    for (const g of net.grants.byId.values()) if (g.sub === s2.did) net.grants.revoke(g);
    await ctx.driver.refresh(s2.did);
    ctx.check('REFRESH-05', (await ctx.driver.session(s2.did)).refused, 'the session survived invalid_grant');

    // REFRESH-07 (unverified): after the account moved to another AS, the old AS is not refreshed against.
    ctx.reset();
    const s3 = await ctx.mustLogin('alice.test');
    const elsewhere = await net.startForeignPds('https://other-as.example');
    net.plc.documents.set(s3.did, net.didDocument(s3.did, 'alice.test', elsewhere.url));
    ctx.reset();
    const moved = await ctx.driver.refresh(s3.did);
    ctx.check('REFRESH-07', moved.refused, 'refreshed against the old AS after the account moved');
    net.plc.documents.set(s3.did, net.didDocument(s3.did, 'alice.test', net.pds.url));

    // REFRESH-01: a client without the refresh_token grant never refreshes.
    ctx.reset();
    const { webClientMetadata } = await import('../scenario.js');
    await ctx.configure({ metadata: webClientMetadata({ grant_types: ['authorization_code'] }) });
    const s4 = await ctx.mustLogin('alice.test');
    ctx.reset();
    net.grants.expireAccessTokens(s4.did);
    await ctx.driver.refresh(s4.did);
    await ctx.writeRecord(s4.did, 'no refresh grant');
    ctx.check(
      'REFRESH-01',
      !ctx.requests('token').some((t) => field(t, 'grant_type') === 'refresh_token'),
      'refreshed without the refresh_token grant',
    );
  },
};
