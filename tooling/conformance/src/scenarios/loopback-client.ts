import type { Scenario } from '../scenario.js';

const ID = `http://localhost?redirect_uri=${encodeURIComponent('http://127.0.0.1:8912/callback')}&scope=${encodeURIComponent('atproto transition:generic')}`;

function loopbackMetadata(clientId: string, redirect: string[]): Record<string, unknown> {
  return {
    client_id: clientId,
    application_type: 'native',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    redirect_uris: redirect,
    scope: new URL(clientId).searchParams.get('scope') ?? 'atproto',
    token_endpoint_auth_method: 'none',
    dpop_bound_access_tokens: true,
  };
}

/** The http://localhost development client. */
export const loopbackClient: Scenario = {
  id: 'loopback-client',
  title:
    'Localhost development client: logs in without assertions; malformed client ids and localhost redirects refused',
  judges: ['LOOPBACK-02', 'LOOPBACK-03', 'LOOPBACK-06', 'REDIRECT-06'],
  async run(ctx) {
    const good = await ctx.configure(
      { metadata: loopbackMetadata(ID, ['http://127.0.0.1:8912/callback']) },
      { register: false },
    );
    ctx.requireSupported(good, 'localhost clients');
    ctx.check('LOOPBACK-02', !good.refused, `the localhost client was refused: ${good.refused ? good.message : ''}`);
    const login = await ctx.login('alice.test');
    ctx.check(
      'LOOPBACK-03',
      login.stage === 'done',
      `localhost client login: ${login.stage} ${login.refusal?.message ?? ''}`,
    );
    const calls = ctx.requests().filter((r) => r.server === 'as' && r.method === 'POST');
    ctx.check(
      'LOOPBACK-06',
      calls.length > 0 && calls.every((c) => !c.form?.client_assertion),
      'a localhost client sent an assertion',
    );
    const bad: [string, string][] = [
      ['LOOPBACK-02', 'http://localhost:8080'],
      ['LOOPBACK-02', 'http://127.0.0.1'],
      ['LOOPBACK-02', 'https://localhost'],
      ['LOOPBACK-02', 'http://localhost/cb'],
      ['LOOPBACK-03', 'http://localhost?scope=atproto&scope=transition%3Ageneric'],
      ['REDIRECT-06', `http://localhost?redirect_uri=${encodeURIComponent('http://localhost:1234/cb')}`],
    ];
    for (const [id, clientId] of bad) {
      const redirect = id === 'REDIRECT-06' ? ['http://localhost:1234/cb'] : ['http://127.0.0.1/'];
      let refused = true;
      try {
        const r = await ctx.configure({ metadata: loopbackMetadata(clientId, redirect) }, { register: false });
        refused = r.refused;
        if (!refused) refused = (await ctx.driver.authorize({ input: 'alice.test' })).refused;
      } catch {
        refused = true;
      }
      ctx.check(id, refused, `client_id ${clientId} was accepted`);
    }
  },
};
