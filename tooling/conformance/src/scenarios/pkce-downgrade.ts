import type { Scenario } from '../scenario.js';

/** An AS that advertises plain first: the client still sends S256. */
export const pkceDowngrade: Scenario = {
  id: 'pkce-downgrade',
  title: 'PKCE: an AS listing plain before S256 still gets S256',
  judges: ['PKCE-03'],
  async run(ctx) {
    ctx.net.faults.asMetadata = (m) => {
      m.code_challenge_methods_supported = ['plain', 'S256'];
    };
    ctx.net.faults.acceptPlainPkce = true;
    await ctx.configure();
    await ctx.login('alice.test');
    const pars = ctx.requests('par').filter((p) => p.form?.code_challenge_method);
    ctx.check(
      'PKCE-03',
      pars.length > 0 && pars.every((p) => p.form?.code_challenge_method?.[0] === 'S256'),
      `methods sent: ${pars.map((p) => p.form?.code_challenge_method?.[0]).join(',')}`,
    );
  },
};
