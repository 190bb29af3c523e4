import type { Scenario } from '../scenario.js';

/** Sign-out. */
export const revoke: Scenario = {
  id: 'revoke',
  title: 'Sign-out revokes with DPoP and always forgets the session, even when revocation fails',
  judges: ['REVOKE-01', 'DPOP-09'],
  async run(ctx) {
    const { net } = ctx;
    const s = await ctx.mustLogin('alice.test');
    ctx.reset();
    const r = await ctx.driver.revoke(s.did);
    ctx.requireSupported(r, 'revocation');
    const calls = ctx.requests('revoke');
    ctx.check('DPOP-09', calls.length > 0 && calls.every((c) => c.dpopHeaders.length === 1), 'revocation without DPoP');
    ctx.observe(
      'REVOKE-01',
      calls.some((c) => c.status === 200 && !!c.form?.token),
    );
    ctx.check('REVOKE-01', (await ctx.driver.session(s.did)).refused, 'the session is still there after sign-out');
    const s2 = await ctx.mustLogin('alice.test');
    ctx.reset();
    net.faults.revocationDown = true;
    await ctx.driver.revoke(s2.did);
    ctx.check('REVOKE-01', (await ctx.driver.session(s2.did)).refused, 'a failed revocation kept the local session');
  },
};
