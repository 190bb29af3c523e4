import { CLIENT_HOST, newClientKey, publicJwk, type Scenario, webClientMetadata } from '../scenario.js';
import { decodeJwtParts, field } from './inspect.js';

const CONF_ID = `https://${CLIENT_HOST}/confidential.json`;

/** A private_key_jwt client: assertions on every call, key binding across rotation. */
export const confidentialClient: Scenario = {
  id: 'confidential-client',
  title: 'Confidential client: assertion on every AS call, its claims, same key on refresh, rotation',
  judges: [
    'CONF-01',
    'CONF-02',
    'CONF-03',
    'CONF-04',
    'META-CLIENT-18',
    'META-CLIENT-11',
    'META-CLIENT-13',
    'META-CLIENT-14',
  ],
  async run(ctx) {
    const { net } = ctx;
    const k1 = await newClientKey('k1');
    const metadata = (keys: Record<string, unknown>[]) =>
      webClientMetadata({
        client_id: CONF_ID,
        token_endpoint_auth_method: 'private_key_jwt',
        token_endpoint_auth_signing_alg: 'ES256',
        jwks: { keys: keys.map(publicJwk) },
      });
    const configured = await ctx.configure({ metadata: metadata([k1]), keys: [k1] });
    ctx.requireSupported(configured, 'confidential clients');
    if (configured.refused) throw new Error(`confidential client refused: ${configured.message}`);
    const s = await ctx.mustLogin('alice.test');
    await ctx.driver.refresh(s.did);
    await ctx.driver.revoke(s.did);
    const calls = ctx.requests().filter((r) => r.server === 'as' && r.method === 'POST' && r.dpop !== undefined);
    for (const c of calls) {
      const assertion = field(c, 'client_assertion');
      ctx.check(
        'CONF-01',
        field(c, 'client_assertion_type') === 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer' && !!assertion,
        `${c.endpoint} without an assertion`,
      );
      const jwt = decodeJwtParts(assertion ?? '');
      ctx.check(
        'CONF-02',
        jwt?.header.alg === 'ES256' && jwt.header.kid === 'k1',
        `assertion header ${JSON.stringify(jwt?.header)}`,
      );
      const cl = jwt?.claims ?? {};
      const now = Date.now() / 1000;
      const ok =
        cl.iss === CONF_ID &&
        cl.sub === CONF_ID &&
        cl.aud === net.as.issuer &&
        typeof cl.jti === 'string' &&
        Math.abs(Number(cl.iat) - now) < 120 &&
        Number(cl.exp) > now &&
        Number(cl.exp) - Number(cl.iat) <= 600;
      ctx.check('CONF-03', ok, `assertion claims ${JSON.stringify(cl)}`);
    }
    const jtis = calls.map((c) => decodeJwtParts(field(c, 'client_assertion') ?? '')?.claims.jti);
    ctx.check('CONF-03', new Set(jtis).size === jtis.length, 'an assertion jti repeated');
    ctx.check(
      'META-CLIENT-11',
      calls.length > 0 && calls.every((c) => c.status < 400),
      'the AS refused the private_key_jwt client',
    );

    // Rotation: k2 joins; new logins use k2, the old session keeps k1; then k1 retires.
    const s1 = await ctx.mustLogin('alice.test');
    const k2 = await newClientKey('k2');
    await ctx.configure({ metadata: metadata([k1, k2]), keys: [k1, k2] }, { keepSessions: true });
    ctx.reset();
    const bob = await ctx.account({ handle: 'bob.test' });
    await ctx.configure(undefined, { keepSessions: true });
    await ctx.mustLogin('bob.test');
    const newKid = decodeJwtParts(
      field(
        ctx.requests('par').find((p) => p.status === 201),
        'client_assertion',
      ) ?? '',
    )?.header.kid;
    ctx.reset();
    await ctx.driver.refresh(s1.did);
    const oldKid = decodeJwtParts(field(ctx.requests('token')[0], 'client_assertion') ?? '')?.header.kid;
    ctx.check('META-CLIENT-18', newKid === 'k2', `new session signed with ${String(newKid)}`);
    ctx.check('CONF-04', oldKid === 'k1', `old session refreshed with ${String(oldKid)}`);
    await ctx.configure({ metadata: metadata([k2]), keys: [k2] }, { keepSessions: true });
    ctx.reset();
    await ctx.driver.refresh(s1.did);
    const retired = ctx.requests('token').map((t) => decodeJwtParts(field(t, 'client_assertion') ?? '')?.header.kid);
    ctx.check('CONF-04', !retired.includes('k2'), 'a session begun with k1 was refreshed with k2');
    void bob;

    // Metadata the client must refuse to run with.
    const broken: [string, Record<string, unknown>][] = [
      ['META-CLIENT-13', { jwks: { keys: [publicJwk(k1)] }, jwks_uri: `https://${CLIENT_HOST}/jwks.json` }],
      ['META-CLIENT-13', { jwks: { keys: [] } }],
      ['META-CLIENT-13', { jwks: undefined, jwks_uri: `http://${CLIENT_HOST}/jwks.json` }],
      ['META-CLIENT-14', { jwks: { keys: [k1] } }],
      ['META-CLIENT-11', { token_endpoint_auth_method: 'none' }],
    ];
    for (const [id, patch] of broken) {
      const m = { ...metadata([k1]), ...patch };
      const r = await ctx.configure({ metadata: m, keys: [k1] }, { register: false });
      ctx.check(id, r.refused, `accepted metadata with ${JSON.stringify(patch).slice(0, 120)}`);
    }
  },
};
