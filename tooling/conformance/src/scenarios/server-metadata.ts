import type { MockResponse } from '@relay/testnet';
import type { Scenario, ScenarioContext } from '../scenario.js';

const PRM_PATH = '/.well-known/oauth-protected-resource';
const AS_PATH = '/.well-known/oauth-authorization-server';

/** Logs in with one fault set; the login must stop before PAR. */
async function refusedBeforePar(ctx: ScenarioContext, id: string, label: string, apply: () => void): Promise<void> {
  ctx.reset();
  apply();
  // A fresh client: nothing cached from an earlier, honest fetch.
  await ctx.configure();
  const r = await ctx.login('alice.test');
  const pushed = ctx.byPath('/oauth/par').some((p) => p.status === 201);
  ctx.check(
    id,
    r.stage === 'authorize' && !pushed,
    `${label}: ${pushed ? 'PAR was sent' : `login reached ${r.stage}`}`,
  );
  ctx.reset();
}

function respond(server: 'as' | 'pds', path: string, res: () => MockResponse) {
  return (s: 'as' | 'pds', req: { path: string }) => (s === server && req.path === path ? res() : undefined);
}

/** Protected-resource metadata faults. */
export const protectedResourceMetadata: Scenario = {
  id: 'protected-resource-metadata',
  title: 'Protected-resource metadata: statuses, content types, authorization_servers, resource',
  judges: ['META-RS-02', 'META-RS-03', 'META-RS-04', 'META-RS-05'],
  async run(ctx) {
    await ctx.ready();
    const { net } = ctx;
    const doc = () => net.pds.prm();
    const json = (status: number, body: unknown, type = 'application/json'): MockResponse => ({
      status,
      headers: { 'content-type': type },
      body: JSON.stringify(body),
    });
    await refusedBeforePar(ctx, 'META-RS-02', '201 status', () => {
      net.faults.override = respond('pds', PRM_PATH, () => json(201, doc()));
    });
    await refusedBeforePar(ctx, 'META-RS-02', 'redirect', () => {
      net.faults.override = respond('pds', PRM_PATH, () => ({
        status: 301,
        headers: { location: `${net.pds.url}/prm.json` },
      }));
    });
    await refusedBeforePar(ctx, 'META-RS-02', 'text/html body', () => {
      net.faults.htmlInsteadOfJson.add('prm');
    });
    await refusedBeforePar(ctx, 'META-RS-02', 'JSON array', () => {
      net.faults.override = respond('pds', PRM_PATH, () => json(200, [doc()]));
    });
    const servers: [string, unknown][] = [
      ['missing', undefined],
      ['empty', []],
      ['two entries', [net.as.issuer, 'https://other.example']],
      ['non-string', [{ url: net.as.issuer }]],
    ];
    for (const [label, value] of servers) {
      await refusedBeforePar(ctx, 'META-RS-03', `authorization_servers ${label}`, () => {
        net.faults.prmMetadata = (m) => {
          if (value === undefined) delete m.authorization_servers;
          else m.authorization_servers = value;
        };
      });
    }
    for (const bad of [
      `${net.as.issuer}/oauth`,
      net.as.issuer.replace('http://', 'http://u@'),
      `${net.as.issuer}?x=1`,
      `${net.as.issuer}#f`,
    ]) {
      await refusedBeforePar(ctx, 'META-RS-04', `authorization server ${bad}`, () => {
        net.faults.prmMetadata = (m) => {
          m.authorization_servers = [bad];
        };
      });
    }
    await refusedBeforePar(ctx, 'META-RS-05', 'resource of another server', () => {
      net.faults.prmMetadata = (m) => {
        m.resource = 'https://evil.example';
      };
    });
  },
};

type Mutation = [string, string, (m: Record<string, unknown>) => void];

const MUTATIONS: Mutation[] = [
  [
    'AS-META-02',
    'issuer of another origin',
    (m) => {
      m.issuer = 'https://other.example';
    },
  ],
  [
    'AS-META-02',
    'issuer with a trailing path',
    (m) => {
      m.issuer = `${String(m.issuer)}/oauth`;
    },
  ],
  [
    'AS-META-03',
    'no PAR endpoint',
    (m) => {
      delete m.pushed_authorization_request_endpoint;
    },
  ],
  [
    'AS-META-03',
    'no token endpoint',
    (m) => {
      delete m.token_endpoint;
    },
  ],
  [
    'AS-META-03',
    'no authorization endpoint',
    (m) => {
      delete m.authorization_endpoint;
    },
  ],
  [
    'AS-META-04',
    'response_types_supported [token]',
    (m) => {
      m.response_types_supported = ['token'];
    },
  ],
  [
    'AS-META-05',
    'grant_types_supported without refresh_token',
    (m) => {
      m.grant_types_supported = ['authorization_code'];
    },
  ],
  [
    'AS-META-06',
    'code_challenge_methods_supported [plain]',
    (m) => {
      m.code_challenge_methods_supported = ['plain'];
    },
  ],
  [
    'AS-META-07',
    'token_endpoint_auth_methods_supported [private_key_jwt] (public client)',
    (m) => {
      m.token_endpoint_auth_methods_supported = ['private_key_jwt'];
    },
  ],
  [
    'AS-META-08',
    'signing algs include none',
    (m) => {
      m.token_endpoint_auth_signing_alg_values_supported = ['ES256', 'none'];
    },
  ],
  [
    'AS-META-09',
    'scopes_supported without atproto',
    (m) => {
      m.scopes_supported = ['transition:generic'];
    },
  ],
  [
    'AS-META-10',
    'iss parameter unsupported',
    (m) => {
      m.authorization_response_iss_parameter_supported = false;
    },
  ],
  [
    'AS-META-10',
    'iss parameter support absent',
    (m) => {
      delete m.authorization_response_iss_parameter_supported;
    },
  ],
  [
    'AS-META-11',
    'PAR not required',
    (m) => {
      m.require_pushed_authorization_requests = false;
    },
  ],
  [
    'AS-META-12',
    'DPoP algs [RS256]',
    (m) => {
      m.dpop_signing_alg_values_supported = ['RS256'];
    },
  ],
  [
    'AS-META-14',
    'client id metadata documents unsupported',
    (m) => {
      m.client_id_metadata_document_supported = false;
    },
  ],
  [
    'META-RS-06',
    'protected_resources without this PDS',
    (m) => {
      m.protected_resources = ['https://other-pds.example'];
    },
  ],
];

/** Authorization-server metadata that breaks the atproto profile, one field at a time. */
export const authorizationServerMetadata: Scenario = {
  id: 'authorization-server-metadata',
  title: 'Authorization-server metadata: every profile field broken once, unknown members tolerated',
  judges: ['AS-META-01', ...new Set(MUTATIONS.map(([id]) => id)), 'AS-META-16', 'META-RS-06'],
  async run(ctx) {
    await ctx.ready();
    const { net } = ctx;
    await refusedBeforePar(ctx, 'AS-META-01', 'redirect', () => {
      net.faults.override = respond('as', AS_PATH, () => ({
        status: 302,
        headers: { location: `${net.as.issuer}/meta.json` },
      }));
    });
    await refusedBeforePar(ctx, 'AS-META-01', 'text/plain', () => {
      net.faults.override = respond('as', AS_PATH, () => ({
        status: 200,
        headers: { 'content-type': 'text/plain' },
        body: JSON.stringify(net.as.metadata()),
      }));
    });
    await refusedBeforePar(ctx, 'AS-META-01', 'HTML', () => {
      net.faults.htmlInsteadOfJson.add('as-metadata');
    });
    for (const [id, label, mutate] of MUTATIONS) {
      await refusedBeforePar(ctx, id, label, () => {
        net.faults.asMetadata = mutate;
      });
    }
    ctx.reset();
    net.faults.asMetadata = (m) => {
      m.foo = { bar: [1, 2, 3] };
      m.protected_resources = [net.pds.url];
    };
    await ctx.configure();
    const r = await ctx.login('alice.test');
    ctx.check('AS-META-16', r.stage === 'done', `unknown member broke the login: ${r.refusal?.message ?? r.stage}`);
    ctx.check(
      'META-RS-06',
      r.stage === 'done',
      `a protected_resources list naming this PDS broke the login: ${r.refusal?.message ?? r.stage}`,
    );
  },
};
