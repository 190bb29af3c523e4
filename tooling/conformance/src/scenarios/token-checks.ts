import type { Scenario, ScenarioContext } from '../scenario.js';

async function expectNoSession(ctx: ScenarioContext, id: string, label: string, did: string): Promise<void> {
  await ctx.configure(); // a fresh client: no session from an earlier login
  const r = await ctx.login('alice.test');
  const session = await ctx.driver.session(did);
  ctx.check(
    id,
    r.stage === 'callback' && session.refused,
    `${label}: login ${r.stage}${session.refused ? '' : ', a session was stored'}`,
  );
}

/** What the code exchange returns: sub, token_type, scope. */
export const tokenChecks: Scenario = {
  id: 'token-checks',
  title:
    'Token response: foreign or malformed sub, malicious AS, Bearer tokens, missing atproto scope, narrowed grants',
  judges: [
    'TOKEN-SUB-01',
    'TOKEN-SUB-02',
    'TOKEN-SUB-03',
    'TOKEN-SUB-04',
    'TOKEN-RESP-01',
    'TOKEN-SCOPE-01',
    'TOKEN-SCOPE-02',
    'TOKEN-AUTHN-01',
    'SCOPE-07',
    'META-RS-07',
    'META-RS-08',
  ],
  async run(ctx) {
    const { net } = ctx;
    const alice = [...net.accounts.values()][0];
    if (!alice) throw new Error('no account');
    const bob = await ctx.account({ handle: 'bob.test' });
    // mallory lives on a PDS whose authorization server is somebody else.
    const foreign = await net.startForeignPds('https://other-as.example');
    const mallory = await ctx.account({ handle: 'mallory.test', pdsUrl: foreign.url });
    await ctx.ready();
    const cases: [string, string, unknown][] = [
      ['TOKEN-SUB-01', 'sub missing', undefined],
      ['TOKEN-SUB-01', 'sub is a handle', 'alice.test'],
      ['TOKEN-SUB-01', 'sub is did:key', 'did:key:zQ3shZc2QzApp2oymGvQbzP8eKheVshBHbU4ZYjeXqwSKEn6N'],
    ];
    for (const [id, label, sub] of cases) {
      ctx.reset();
      net.faults.tokenResponse = { sub };
      await expectNoSession(ctx, id, label, alice.did);
    }
    ctx.reset();
    net.faults.tokenSub = bob.did;
    await expectNoSession(ctx, 'TOKEN-SUB-02', 'sub of another account', bob.did);
    ctx.check(
      'TOKEN-SUB-04',
      (await ctx.driver.session(alice.did)).refused,
      'a session was kept after a failed sub check',
    );
    const revoked = ctx.requests('revoke').length > 0;
    ctx.check('TOKEN-SUB-04', revoked, 'the tokens of the failed login were not revoked');

    // A server-started flow where the AS vouches for an account hosted elsewhere.
    ctx.reset();
    net.faults.tokenSub = mallory.did;
    const server = await ctx.login(net.pds.url);
    ctx.check(
      'TOKEN-SUB-03',
      server.stage !== 'done' && (await ctx.driver.session(mallory.did)).refused,
      `malicious-AS login ${server.stage}`,
    );
    ctx.reset();
    net.faults.tokenSub = mallory.did;
    const authOnly = await ctx.login('mallory.test', { scope: 'atproto' });
    ctx.check('TOKEN-AUTHN-01', authOnly.stage !== 'done', `login-only flow trusted a foreign sub: ${authOnly.stage}`);

    // META-RS-08: from the PDS URL, PAR without login_hint and a working session.
    ctx.reset();
    const fromServer = await ctx.login(net.pds.url);
    const par = ctx.requests('par').find((p) => p.status === 201);
    ctx.check(
      'META-RS-08',
      fromServer.stage === 'done' && par !== undefined && !par.form?.login_hint,
      `server-URL login ${fromServer.stage}, login_hint ${JSON.stringify(par?.form?.login_hint)}`,
    );
    // META-RS-07: a fresh resolution follows the account to its new PDS.
    ctx.reset();
    const moved = await net.startForeignPds(net.as.issuer);
    net.plc.documents.set(bob.did, net.didDocument(bob.did, 'bob.test', moved.url));
    await ctx.configure(undefined, { keepSessions: true });
    const movedLogin = await ctx.login('bob.test');
    const prmAtNew = ctx.requests('prm').length > 0;
    ctx.check(
      'META-RS-07',
      movedLogin.stage === 'done' && prmAtNew,
      `login after the account moved: ${movedLogin.stage}`,
    );

    const tokenFaults: [string, string, Record<string, unknown>][] = [
      ['TOKEN-RESP-01', 'token_type Bearer', { token_type: 'Bearer' }],
      ['TOKEN-SCOPE-01', 'scope missing', { scope: undefined }],
      ['TOKEN-SCOPE-01', 'scope without atproto', { scope: 'transition:generic' }],
    ];
    for (const [id, label, override] of tokenFaults) {
      ctx.reset();
      net.faults.tokenResponse = override;
      await expectNoSession(ctx, id, label, alice.did);
    }
    // TOKEN-SCOPE-02: the user granted less than asked; the session reports the grant.
    ctx.reset();
    net.faults.consent = { approve: true, grantScope: 'atproto' };
    const narrowed = await ctx.login('alice.test');
    ctx.check(
      'TOKEN-SCOPE-02',
      narrowed.session?.scope === 'atproto',
      `session scope "${narrowed.session?.scope}" (${narrowed.stage})`,
    );
    ctx.reset();
    const minimal = await ctx.login('alice.test', { scope: 'atproto' });
    ctx.observe('SCOPE-07', minimal.stage === 'done', minimal.refusal?.message);
  },
};
