import type { Scenario } from '../scenario.js';
import { firstProof } from './inspect.js';

/** DPoP nonce handling against strict, rotating, stubborn and silent servers. */
export const nonces: Scenario = {
  id: 'nonces',
  title: 'DPoP nonces: strict rotation, per-origin nonces, endless demands, missing headers, odd challenges',
  judges: ['NONCE-03', 'NONCE-04', 'NONCE-05', 'NONCE-06', 'NONCE-07', 'NONCE-10'],
  async run(ctx) {
    const { net } = ctx;
    // NONCE-03: every response rotates the nonce and only the newest is accepted, so a client
    // that ignores nonces on successful responses pays a retry on every request.
    net.faults.nonceRotateEvery = 1;
    net.faults.strictNonce = true;
    const s = await ctx.mustLogin('alice.test');
    for (let i = 0; i < 3; i++) await ctx.writeRecord(s.did, `strict ${i}`);
    const log = ctx.requests();
    // Each proof must carry the newest nonce this server gave the client on a DPoP response
    // (the scripted browser's visits rotate the nonce too, which is why the count is not used).
    const latest: Record<string, string | undefined> = {};
    const stale: string[] = [];
    for (const r of log) {
      if (r.dpopHeaders.length === 0) continue;
      const sent = firstProof(r)?.claims.nonce;
      const expected = latest[r.server];
      if (expected !== undefined && sent !== expected)
        stale.push(`${r.path} sent ${String(sent)}, newest was ${expected}`);
      if (r.nonce) latest[r.server] = r.nonce;
    }
    ctx.check('NONCE-03', stale.length === 0, stale.slice(0, 3).join('; '));
    const writes = log.filter((r) => r.endpoint === 'com.atproto.repo.createRecord' && r.status === 200);
    ctx.check('NONCE-06', writes.length === 3, `${writes.length}/3 writes succeeded under rotation`);
    // NONCE-04: no proof to one server carries a nonce issued by the other.
    const issuedBy = { as: new Set<string>(), pds: new Set<string>() };
    for (const r of log) if (r.nonce) issuedBy[r.server].add(r.nonce);
    const crossed = log.filter((r) => {
      const n = firstProof(r)?.claims.nonce;
      return typeof n === 'string' && issuedBy[r.server === 'as' ? 'pds' : 'as'].has(n) && !issuedBy[r.server].has(n);
    });
    ctx.check('NONCE-04', crossed.length === 0, `${crossed.length} proofs carried the other server's nonce`);

    // NONCE-06: the nonce rotates between two calls of an established session.
    ctx.reset();
    const before = await ctx.writeRecord(s.did, 'before rotation');
    net.pds.nonces.rotate();
    net.pds.nonces.rotate();
    const after = await ctx.writeRecord(s.did, 'after rotation');
    ctx.check(
      'NONCE-06',
      !before.refused && !after.refused && after.status === 200,
      `write after rotation: ${after.refused ? after.message : after.status}`,
    );

    // NONCE-05: a server that refuses every nonce sees each request at most twice.
    ctx.reset();
    net.faults.nonceRejectAll.add('pds');
    await ctx.writeRecord(s.did, 'stubborn');
    const stubborn = ctx.requests('com.atproto.repo.createRecord');
    ctx.check(
      'NONCE-05',
      stubborn.length <= 2 * Math.max(1, ctx.requests('token').length + 1) && stubborn.length <= 4,
      `${stubborn.length} PDS attempts for one write`,
    );
    ctx.reset();
    net.faults.nonceRejectAll.add('as');
    await ctx.login('alice.test');
    const pars = ctx.requests('par');
    ctx.check('NONCE-05', pars.length <= 2, `${pars.length} PAR attempts against a server refusing every nonce`);

    // NONCE-07 (unverified): a successful token response without DPoP-Nonce is refused.
    ctx.reset();
    net.faults.omitNonceOnSuccess.add('as');
    const silent = await ctx.login('alice.test');
    ctx.check('NONCE-07', silent.stage !== 'done', 'a token response without DPoP-Nonce was accepted');

    // NONCE-10: a Bearer invalid_token challenge next to a DPoP algs challenge is not a nonce error.
    ctx.reset();
    net.faults.pdsOverride = (path) =>
      path === 'com.atproto.server.getSession'
        ? {
            status: 401,
            headers: {
              'content-type': 'application/json',
              'www-authenticate': 'Bearer error="invalid_token", DPoP algs="ES256"',
            },
            body: JSON.stringify({ error: 'InvalidToken', message: 'nope' }),
          }
        : undefined;
    await ctx.xrpc(s.did, 'com.atproto.server.getSession');
    const calls = ctx.requests('com.atproto.server.getSession');
    const refreshes = ctx.requests('token').length;
    // A nonce retry would repeat the call with the same token and no refresh in between.
    const sameTokenRetry = calls.length >= 2 && calls[0]?.authorization === calls[1]?.authorization;
    ctx.check(
      'NONCE-10',
      !sameTokenRetry || refreshes > 0,
      `${calls.length} calls, ${refreshes} refreshes: treated as a nonce error`,
    );
  },
};
