import { CLIENT_HOST, CLIENT_ID, type Scenario, webClientMetadata } from '../scenario.js';

type Case = [id: string, label: string, patch: Record<string, unknown>];

const BROKEN: Case[] = [
  ['META-CLIENT-01', 'client_id with a port', { client_id: `https://${CLIENT_HOST}:8443/m.json` }],
  ['META-CLIENT-01', 'http client_id', { client_id: `http://${CLIENT_HOST}/m.json` }],
  ['META-CLIENT-02', 'client_id with a fragment', { client_id: `${CLIENT_ID}#x` }],
  ['META-CLIENT-02', 'client_id with credentials', { client_id: `https://u:p@${CLIENT_HOST}/m.json` }],
  ['META-CLIENT-02', 'client_id with dot segments', { client_id: `https://${CLIENT_HOST}/a/../m.json` }],
  ['META-CLIENT-05', 'application_type desktop', { application_type: 'desktop' }],
  ['META-CLIENT-06', 'grant_types without authorization_code', { grant_types: ['refresh_token'] }],
  ['META-CLIENT-07', 'scope without atproto', { scope: 'transition:generic' }],
  ['META-CLIENT-08', 'response_types [token]', { response_types: ['token'] }],
  ['META-CLIENT-09', 'no redirect_uris', { redirect_uris: [] }],
  ['META-CLIENT-10', 'dpop_bound_access_tokens false', { dpop_bound_access_tokens: false }],
  ['META-CLIENT-10', 'dpop_bound_access_tokens absent', { dpop_bound_access_tokens: undefined }],
  ['META-CLIENT-12', 'signing alg none', { token_endpoint_auth_signing_alg: 'none' }],
  ['META-CLIENT-15', 'http logo_uri', { logo_uri: `http://${CLIENT_HOST}/logo.png` }],
  ['META-CLIENT-15', 'http tos_uri', { tos_uri: `http://${CLIENT_HOST}/tos` }],
  ['META-CLIENT-16', 'client_uri on another host', { client_uri: 'https://elsewhere.example' }],
  ['META-CLIENT-17', 'client_secret present', { client_secret: 'shh' }],
  ['META-CLIENT-17', 'client_secret_post', { token_endpoint_auth_method: 'client_secret_post' }],
  ['REDIRECT-02', 'http web redirect', { redirect_uris: [`http://${CLIENT_HOST}/callback`] }],
  ['REDIRECT-02', 'default port written out', { redirect_uris: [`https://${CLIENT_HOST}:443/callback`] }],
  [
    'REDIRECT-03',
    'native scheme with //',
    { application_type: 'native', redirect_uris: ['test.conformance.client://callback'] },
  ],
  [
    'REDIRECT-03',
    'native scheme not reversed',
    { application_type: 'native', redirect_uris: [`${CLIENT_HOST}:/callback`] },
  ],
  [
    'REDIRECT-03',
    'native scheme of another domain',
    { application_type: 'native', redirect_uris: ['com.evil.app:/callback'] },
  ],
  [
    'REDIRECT-04',
    'native https redirect on another origin',
    { application_type: 'native', redirect_uris: ['https://other.example/cb'] },
  ],
];

const GOOD: Case[] = [
  [
    'REDIRECT-02',
    'https redirect with a non-default port',
    { redirect_uris: [`https://${CLIENT_HOST}:8443/callback`] },
  ],
  [
    'REDIRECT-03',
    'reverse-domain native scheme',
    { application_type: 'native', redirect_uris: ['test.conformance.client:/callback'] },
  ],
  ['META-CLIENT-05', 'application_type absent', { application_type: undefined }],
];

/** The client's own metadata: what it refuses to run with, and what it must accept. */
export const clientMetadata: Scenario = {
  id: 'client-metadata',
  title: 'Client metadata: each profile rule broken once (the client must refuse), valid variants accepted',
  judges: [
    ...new Set([...BROKEN, ...GOOD].map(([id]) => id)),
    'META-CLIENT-03',
    'META-CLIENT-04',
    'CLIENT-PAR-04',
    'SCOPE-01',
    'SCOPE-03',
  ],
  async run(ctx) {
    await ctx.ready();
    for (const [id, label, patch] of BROKEN) {
      const r = await ctx.configure({ metadata: webClientMetadata(patch) }, { register: false });
      let refused = r.refused;
      if (!refused) {
        // Accepted at configure: it must then refuse to start a login with it.
        const before = ctx.traffic();
        const a = await ctx.driver.authorize({ input: 'alice.test' });
        refused = a.refused && ctx.quietSince(before);
      }
      ctx.check(id, refused, `the client ran with ${label}`);
    }
    for (const [id, label, patch] of GOOD) {
      const r = await ctx.configure({ metadata: webClientMetadata(patch) }, { register: false });
      ctx.check(id, !r.refused, `the client refused ${label}: ${r.refused ? r.message : ''}`);
    }
    // META-CLIENT-03/04: the document the client runs with is a JSON object naming itself.
    const doc = webClientMetadata();
    const ok = await ctx.configure({ metadata: doc });
    ctx.check('META-CLIENT-03', !ok.refused, 'the standard document was refused');
    const mismatch = await ctx.configure(
      { metadata: webClientMetadata({ client_id: `${CLIENT_ID}/` }) },
      { register: false },
    );
    ctx.observe('META-CLIENT-04', mismatch.refused === false);
    ctx.check('META-CLIENT-04', !ok.refused && doc.client_id === CLIENT_ID, 'client_id differs from the document URL');
    // Scope requests outside the metadata, without atproto, or with bad characters: refused before any traffic.
    await ctx.configure({ metadata: doc });
    const refusedQuietly = async (id: string, scope: string) => {
      const before = ctx.traffic();
      const a = await ctx.driver.authorize({ input: 'alice.test', scope });
      ctx.check(
        id,
        a.refused && ctx.quietSince(before),
        `scope "${scope}" ${a.refused ? 'caused traffic' : 'was accepted'}`,
      );
    };
    await refusedQuietly('CLIENT-PAR-04', 'atproto transition:email');
    await refusedQuietly('SCOPE-01', 'transition:generic');
    await refusedQuietly('SCOPE-03', 'atproto\ttransition:generic');
    await refusedQuietly('SCOPE-03', 'atproto transition:généric');
  },
};
