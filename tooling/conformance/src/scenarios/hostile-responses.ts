import type { Scenario, ScenarioContext } from '../scenario.js';

async function failsInTime(
  ctx: ScenarioContext,
  id: string,
  label: string,
  limitMs: number,
  run: () => Promise<{ stage: string }>,
) {
  const started = Date.now();
  const r = await run();
  const took = Date.now() - started;
  ctx.check(id, r.stage !== 'done' && took < limitMs, `${label}: ${r.stage} after ${took} ms`);
}

/** HTML where JSON is due, oversized and slow bodies, and a PAR answer without request_uri. */
export const hostileResponses: Scenario = {
  id: 'hostile-responses',
  title: 'HTML instead of JSON, oversized and trickling bodies, PAR and token answers that are not what they claim',
  judges: ['CLIENT-PAR-06', 'ID-DID-11', 'META-RS-02', 'AS-META-01', 'TOKEN-RESP-01', 'CLIENT-PAR-07'],
  async run(ctx) {
    const { net } = ctx;
    await ctx.ready();
    const fresh = async () => {
      await ctx.configure();
      return ctx.login('alice.test');
    };
    net.faults.htmlInsteadOfJson.add('par');
    await failsInTime(ctx, 'CLIENT-PAR-06', 'HTML PAR answer', 20_000, fresh);
    ctx.reset();
    net.faults.override = (s, req) =>
      s === 'as' && req.path === '/oauth/par'
        ? { status: 201, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ expires_in: 60 }) }
        : undefined;
    await failsInTime(ctx, 'CLIENT-PAR-06', 'PAR answer without request_uri', 20_000, fresh);
    ctx.reset();
    net.faults.htmlInsteadOfJson.add('token');
    await failsInTime(ctx, 'TOKEN-RESP-01', 'HTML token answer', 20_000, fresh);
    ctx.reset();
    net.faults.asMetadata = (m) => {
      m.authorization_endpoint = 'javascript:alert(1)';
    };
    await failsInTime(ctx, 'CLIENT-PAR-07', 'javascript: authorization endpoint', 20_000, fresh);
    ctx.reset();
    const big = JSON.stringify({ ...net.pds.prm(), padding: 'x'.repeat(8 * 1024 * 1024) });
    net.faults.override = (s, req) =>
      s === 'pds' && req.path === '/.well-known/oauth-protected-resource'
        ? { status: 200, headers: { 'content-type': 'application/json' }, body: big }
        : undefined;
    await failsInTime(ctx, 'META-RS-02', '8 MiB protected-resource metadata', 30_000, fresh);
    ctx.reset();
    const meta = JSON.stringify(net.as.metadata());
    net.faults.override = (s, req) =>
      s === 'as' && req.path === '/.well-known/oauth-authorization-server'
        ? {
            status: 200,
            headers: { 'content-type': 'application/json' },
            body: `${meta}${' '.repeat(4096)}`,
            trickleMs: 50,
          }
        : undefined;
    await failsInTime(ctx, 'AS-META-01', 'AS metadata trickling 16 bytes every 50 ms', 40_000, fresh);
    ctx.reset();
    const bob = await ctx.account({ handle: 'slow.test' });
    net.plc.overrides.set(bob.did, () => ({
      status: 200,
      headers: { 'content-type': 'text/html' },
      body: '<html><body>login</body></html>',
    }));
    await failsInTime(ctx, 'ID-DID-11', 'HTML DID document', 20_000, async () => {
      await ctx.configure();
      return ctx.login('slow.test');
    });
  },
};
