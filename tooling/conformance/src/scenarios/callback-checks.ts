import type { Scenario } from '../scenario.js';

/** The authorization response: state, iss, errors and missing codes. */
export const callbackChecks: Scenario = {
  id: 'callback-checks',
  title: 'Callback: wrong or missing iss, replayed or unknown state, access_denied, missing code',
  judges: ['ISS-01', 'ISS-02', 'CLIENT-STATE-02', 'CALLBACK-01', 'CALLBACK-02'],
  async run(ctx) {
    const { net } = ctx;
    const noToken = () => ctx.requests('token').length === 0;
    net.faults.issParam = 'wrong';
    let r = await ctx.login('alice.test');
    ctx.check(
      'ISS-01',
      r.stage === 'callback' && noToken(),
      `wrong iss: ${r.stage}, token requests ${ctx.requests('token').length}`,
    );
    ctx.reset();
    // an issuer that differs only by a trailing slash or case is still a mismatch
    for (const variant of [`${net.as.issuer}/`, net.as.issuer.toUpperCase()]) {
      ctx.reset();
      const auth = await ctx.driver.authorize({ input: 'alice.test' });
      ctx.requireSupported(auth, 'authorize');
      if (auth.refused) throw new Error(`authorize refused: ${auth.message}`);
      const query = new URLSearchParams(await (await import('../browser.js')).followAuthorization(auth.url));
      query.set('iss', variant);
      const cb = await ctx.driver.callback(query.toString());
      ctx.check('ISS-01', cb.refused && noToken(), `iss "${variant}" was accepted`);
    }
    ctx.reset();
    net.faults.issParam = 'missing';
    r = await ctx.login('alice.test');
    ctx.check('ISS-02', r.stage === 'callback' && noToken(), `missing iss: ${r.stage}`);
    ctx.reset();

    // state: replay, unknown, missing
    r = await ctx.login('alice.test');
    if (r.stage !== 'done' || !r.query) throw new Error(`honest login failed: ${r.refusal?.message}`);
    const replay = await ctx.driver.callback(r.query);
    ctx.check('CLIENT-STATE-02', replay.refused, 'a replayed callback was accepted');
    const unknown = new URLSearchParams(r.query);
    unknown.set('state', 'made-up-state-value-0123456789');
    ctx.check(
      'CLIENT-STATE-02',
      (await ctx.driver.callback(unknown.toString())).refused,
      'an unknown state was accepted',
    );
    const missing = new URLSearchParams(r.query);
    missing.delete('state');
    ctx.check(
      'CLIENT-STATE-02',
      (await ctx.driver.callback(missing.toString())).refused,
      'a callback without state was accepted',
    );

    // access_denied: reported, no token request, and the state is consumed
    ctx.reset();
    net.faults.consent = { approve: false };
    r = await ctx.login('alice.test');
    ctx.check('CALLBACK-01', r.stage === 'callback' && noToken(), `access_denied: ${r.stage}`);
    if (r.query)
      ctx.check('CALLBACK-01', (await ctx.driver.callback(r.query)).refused, 'the error callback state stayed usable');

    // a "success" without code
    ctx.reset();
    const auth = await ctx.driver.authorize({ input: 'alice.test' });
    if (auth.refused) throw new Error(`authorize refused: ${auth.message}`);
    const q = new URLSearchParams(await (await import('../browser.js')).followAuthorization(auth.url));
    q.delete('code');
    const cb = await ctx.driver.callback(q.toString());
    ctx.check('CALLBACK-02', cb.refused && noToken(), 'a callback without code was accepted');
  },
};
