import { generateDpopKey } from '@relay/dpop';
import { generatePkce } from '@relay/pkce';
import { followAuthorization } from '../browser.js';
import { ConformanceError } from '../errors.js';
import type { ProfileResult } from '../profile-result.js';
import { foldVerdicts, type Verdict } from '../verdict.js';
import { dpopRequest, exchange, isNonceError, NonceBook, type ServerAnswer } from './server-client.js';

export interface ServerProfileOptions {
  /** The PDS URL (its protected-resource metadata names the AS) or the issuer itself. */
  url: string;
  /** Completes a login in the user agent: gets the authorization URL, returns the redirect's query. Default: follow one redirect (scripted consent servers such as the testnet). */
  login?: (authorizationUrl: string) => Promise<string>;
  /** Account to sign in as (sent as login_hint). */
  loginHint?: string;
  /** Report column name; default the URL. */
  name?: string;
}

/** Every server check and the rows it judges (the catalogue joins these). */
export const SERVER_CHECKS = [
  {
    id: 'server-metadata',
    judges: [
      'META-RS-01',
      'META-RS-02',
      'META-RS-03',
      'META-RS-04',
      'AS-META-01',
      'AS-META-02',
      'AS-META-03',
      'AS-META-04',
      'AS-META-05',
      'AS-META-06',
      'AS-META-07',
      'AS-META-08',
      'AS-META-09',
      'AS-META-10',
      'AS-META-11',
      'AS-META-12',
      'AS-META-13',
      'AS-META-14',
      'AS-META-15',
      'NONCE-09',
    ],
  },
  {
    id: 'server-par',
    judges: [
      'CLIENT-PAR-01',
      'CLIENT-PAR-06',
      'CLIENT-PAR-10',
      'NONCE-01',
      'NONCE-08',
      'PKCE-03',
      'PKCE-05',
      'PKCE-07',
      'SCOPE-01',
      'SCOPE-02',
      'REDIRECT-01',
      'LOOPBACK-01',
      'LOOPBACK-05',
    ],
  },
  {
    id: 'server-code',
    judges: [
      'ISS-03',
      'PKCE-06',
      'PKCE-07',
      'DPOP-SRV-03',
      'DPOP-SRV-04',
      'DPOP-SRV-06',
      'DPOP-SRV-07',
      'TOKEN-SUB-01',
      'TOKEN-SCOPE-01',
      'LIFE-01',
      'CLIENT-PAR-11',
      'REDIRECT-01',
    ],
  },
  {
    id: 'server-resource',
    judges: ['RS-01', 'RS-02', 'NONCE-02', 'DPOP-SRV-01', 'DPOP-SRV-02', 'DPOP-SRV-05', 'DPOP-SRV-06'],
  },
  { id: 'server-refresh', judges: ['REFRESH-08', 'DPOP-SRV-03', 'REVOKE-02'] },
] as const;

const LOOPBACK_REDIRECT = 'http://127.0.0.1/callback';
const SCOPE = 'atproto transition:generic';
const CLIENT_ID = `http://localhost?redirect_uri=${encodeURIComponent(LOOPBACK_REDIRECT)}&scope=${encodeURIComponent(SCOPE)}`;

function bareOrigin(value: unknown): boolean {
  if (typeof value !== 'string' || !URL.canParse(value)) return false;
  const u = new URL(value);
  const loopback = u.hostname === 'localhost' || u.hostname === '127.0.0.1' || u.hostname === '[::1]';
  return (
    (u.protocol === 'https:' || (loopback && u.protocol === 'http:')) && value === u.origin && !value.endsWith(':443')
  );
}

/**
 * Checks an authorization server and its PDS by acting as a (localhost, public) client: metadata
 * documents, PAR, PKCE, DPoP nonces and proofs, code single use, token binding, refresh replay,
 * revocation, and the PDS's DPoP checks.
 */
export async function runServerProfile(options: ServerProfileOptions): Promise<ProfileResult> {
  if (!URL.canParse(options.url)) throw new ConformanceError('INVALID_OPTIONS', `"${options.url}" is not a URL.`);
  const verdicts: Verdict[] = [];
  const errors: Record<string, string> = {};
  const login = options.login ?? ((u: string) => followAuthorization(u));
  const book = new NonceBook();
  let check: (id: string, ok: boolean, detail?: string) => void = () => {};
  const run = async (checkId: string, fn: () => Promise<void>) => {
    const by = checkId;
    check = (id, ok, detail) =>
      verdicts.push({ id, by, outcome: ok ? 'pass' : 'fail', ...(!ok && detail ? { detail } : {}) });
    try {
      await fn();
    } catch (err) {
      errors[checkId] = (err as Error).message;
      const judges = SERVER_CHECKS.find((c) => c.id === checkId)?.judges ?? [];
      for (const id of judges)
        if (!verdicts.some((v) => v.id === id && v.by === by))
          verdicts.push({ id, by, outcome: 'skip', detail: `check stopped: ${(err as Error).message}` });
    }
  };

  const origin = new URL(options.url).origin;
  let pds: string | undefined;
  let issuer = origin;
  let meta: Record<string, unknown> = {};

  await run('server-metadata', async () => {
    const prm = await exchange(`${origin}/.well-known/oauth-protected-resource`);
    if (prm.status === 200) {
      pds = origin;
      check('META-RS-01', true);
      check(
        'META-RS-02',
        (prm.headers.get('content-type') ?? '').startsWith('application/json') && !!prm.json,
        `content-type ${prm.headers.get('content-type')}`,
      );
      const servers = prm.json?.authorization_servers as unknown[] | undefined;
      check(
        'META-RS-03',
        Array.isArray(servers) && servers.length === 1 && typeof servers[0] === 'string',
        `authorization_servers ${JSON.stringify(servers)}`,
      );
      check(
        'META-RS-04',
        Array.isArray(servers) && bareOrigin(servers[0]),
        `authorization server ${JSON.stringify(servers?.[0])}`,
      );
      if (Array.isArray(servers) && typeof servers[0] === 'string') issuer = servers[0];
    }
    const asAnswer = await exchange(`${issuer}/.well-known/oauth-authorization-server`);
    check(
      'AS-META-01',
      asAnswer.status === 200 &&
        (asAnswer.headers.get('content-type') ?? '').startsWith('application/json') &&
        !!asAnswer.json,
      `HTTP ${asAnswer.status} ${asAnswer.headers.get('content-type')}`,
    );
    meta = asAnswer.json ?? {};
    const has = (k: string, v: string) => Array.isArray(meta[k]) && (meta[k] as unknown[]).includes(v);
    check(
      'AS-META-02',
      meta.issuer === issuer && bareOrigin(meta.issuer),
      `issuer ${JSON.stringify(meta.issuer)} fetched from ${issuer}`,
    );
    check(
      'AS-META-03',
      ['authorization_endpoint', 'token_endpoint', 'pushed_authorization_request_endpoint'].every(
        (k) => typeof meta[k] === 'string',
      ),
      'an endpoint is missing',
    );
    check('AS-META-04', has('response_types_supported', 'code'));
    check(
      'AS-META-05',
      has('grant_types_supported', 'authorization_code') && has('grant_types_supported', 'refresh_token'),
    );
    check('AS-META-06', has('code_challenge_methods_supported', 'S256'));
    check(
      'AS-META-07',
      has('token_endpoint_auth_methods_supported', 'none') &&
        has('token_endpoint_auth_methods_supported', 'private_key_jwt'),
    );
    check(
      'AS-META-08',
      has('token_endpoint_auth_signing_alg_values_supported', 'ES256') &&
        !has('token_endpoint_auth_signing_alg_values_supported', 'none'),
    );
    check('AS-META-09', has('scopes_supported', 'atproto'));
    check('AS-META-10', meta.authorization_response_iss_parameter_supported === true);
    check('AS-META-11', meta.require_pushed_authorization_requests === true);
    check('AS-META-12', has('dpop_signing_alg_values_supported', 'ES256'));
    check('AS-META-13', meta.require_request_uri_registration !== false);
    check('AS-META-14', meta.client_id_metadata_document_supported === true);
    // AS-META-15: CORS on PAR and token, none on the authorization endpoint.
    const preflight = async (url: unknown) =>
      exchange(String(url), {
        method: 'OPTIONS',
        headers: {
          origin: 'https://app.example',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'dpop,content-type',
        },
      });
    const par = await preflight(meta.pushed_authorization_request_endpoint);
    const token = await preflight(meta.token_endpoint);
    const authz = await exchange(String(meta.authorization_endpoint), { headers: { origin: 'https://app.example' } });
    check(
      'AS-META-15',
      !!par.headers.get('access-control-allow-origin') &&
        !!token.headers.get('access-control-allow-origin') &&
        !authz.headers.get('access-control-allow-origin'),
      `ACAO on PAR ${par.headers.get('access-control-allow-origin')}, token ${token.headers.get('access-control-allow-origin')}, authorize ${authz.headers.get('access-control-allow-origin')}`,
    );
  });

  const parEndpoint = () => String(meta.pushed_authorization_request_endpoint);
  const tokenEndpoint = () => String(meta.token_endpoint);
  const parForm = (challenge: string, extra: Record<string, string> = {}) => ({
    client_id: CLIENT_ID,
    response_type: 'code',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state: crypto.randomUUID(),
    redirect_uri: LOOPBACK_REDIRECT.replace('127.0.0.1', '127.0.0.1:53412'),
    scope: SCOPE,
    ...(options.loginHint ? { login_hint: options.loginHint } : {}),
    ...extra,
  });

  /** PAR + user-agent login: the code, the verifier, the key and the query. */
  const authorize = async () => {
    const key = await generateDpopKey();
    const pkce = await generatePkce();
    const form = parForm(pkce.challenge);
    const par = await dpopRequest(book, parEndpoint(), { key, form });
    const requestUri = par.last.json?.request_uri;
    if (par.last.status !== 201 || typeof requestUri !== 'string')
      throw new Error(`PAR answered ${par.last.status}: ${par.last.text.slice(0, 200)}`);
    const url = new URL(String(meta.authorization_endpoint));
    url.searchParams.set('client_id', CLIENT_ID);
    url.searchParams.set('request_uri', requestUri);
    const query = new URLSearchParams(await login(url.href));
    return { key, pkce, form, query, requestUri, url: url.href };
  };
  const exchangeCode = (
    a: Awaited<ReturnType<typeof authorize>>,
    over: { key?: typeof a.key; verifier?: string; noDpop?: boolean } = {},
  ) => {
    const form = {
      grant_type: 'authorization_code',
      code: a.query.get('code') ?? '',
      redirect_uri: a.form.redirect_uri,
      code_verifier: over.verifier ?? a.pkce.verifier,
      client_id: CLIENT_ID,
    };
    if (over.noDpop)
      return exchange(tokenEndpoint(), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form).toString(),
      });
    return dpopRequest(book, tokenEndpoint(), { key: over.key ?? a.key, form }).then((r) => r.last);
  };

  await run('server-par', async () => {
    const key = await generateDpopKey();
    const pkce = await generatePkce();
    const first = await dpopRequest(book, parEndpoint(), { key, form: parForm(pkce.challenge), noRetry: true });
    const nonceDemanded = isNonceError(first.last) && !!first.last.headers.get('dpop-nonce');
    check(
      'NONCE-01',
      nonceDemanded && first.last.status === 400,
      `first PAR without nonce: ${first.last.status} ${first.last.text.slice(0, 100)}`,
    );
    check('NONCE-08', nonceDemanded, 'a proof without nonce was accepted');
    const ok = await dpopRequest(book, parEndpoint(), { key, form: parForm(pkce.challenge) });
    const okJson = ok.last.json ?? {};
    check(
      'CLIENT-PAR-06',
      ok.last.status === 201 &&
        typeof okJson.request_uri === 'string' &&
        Number.isInteger(okJson.expires_in) &&
        Number(okJson.expires_in) > 0,
      `PAR answered ${ok.last.status} ${ok.last.text.slice(0, 120)}`,
    );
    check('CLIENT-PAR-01', ok.last.status === 201);
    check('LOOPBACK-01', ok.last.status === 201, 'no localhost client support');
    check('LOOPBACK-05', ok.last.status === 201, 'a loopback redirect on another port was refused');
    const again = await dpopRequest(book, parEndpoint(), { key, form: parForm(pkce.challenge) });
    check('PKCE-05', again.last.status >= 400, 'the same code_challenge was accepted twice');
    const refuse = async (id: string, label: string, extra: Record<string, string>, drop?: string) => {
      const p = await generatePkce();
      const form: Record<string, string> = parForm(p.challenge, extra);
      if (drop) delete form[drop];
      const a = await dpopRequest(book, parEndpoint(), { key, form });
      check(
        id,
        a.last.status >= 400 && a.last.status < 500 && typeof a.last.json?.error === 'string',
        `${label}: HTTP ${a.last.status} ${a.last.text.slice(0, 100)}`,
      );
      return a.last;
    };
    await refuse('PKCE-03', 'plain PKCE', { code_challenge_method: 'plain' });
    await refuse('PKCE-07', 'no code_challenge', {}, 'code_challenge');
    await refuse('SCOPE-01', 'scope without atproto', { scope: 'transition:generic' });
    const undeclared = await refuse('SCOPE-02', 'undeclared scope', { scope: 'atproto transition:email' });
    check('SCOPE-02', undeclared.json?.error === 'invalid_scope', `error ${String(undeclared.json?.error)}`);
    await refuse('REDIRECT-01', 'unregistered redirect_uri', { redirect_uri: 'http://127.0.0.1/other' });
    const get = await exchange(parEndpoint());
    check(
      'CLIENT-PAR-10',
      get.status === 405 || (get.status >= 400 && get.status < 500 && !!get.json?.error),
      `GET on PAR: ${get.status}`,
    );
  });

  let good:
    | { key: Awaited<ReturnType<typeof generateDpopKey>>; access: string; refresh: string; sub: string }
    | undefined;
  await run('server-code', async () => {
    const a = await authorize();
    check('ISS-03', a.query.get('iss') === issuer, `iss ${a.query.get('iss')}`);
    // CLIENT-PAR-11: the request_uri cannot be used twice.
    const reuse = await exchange(a.url);
    check(
      'CLIENT-PAR-11',
      !(reuse.status >= 300 && reuse.status < 400 && (reuse.headers.get('location') ?? '').includes('code=')),
      'request_uri used twice',
    );
    const wrongVerifier = await exchangeCode(await authorize(), { verifier: (await generatePkce()).verifier });
    check(
      'PKCE-07',
      wrongVerifier.status === 400 && wrongVerifier.json?.error === 'invalid_grant',
      `wrong verifier: ${wrongVerifier.status} ${String(wrongVerifier.json?.error)}`,
    );
    const otherKey = await exchangeCode(await authorize(), { key: await generateDpopKey() });
    check('DPOP-SRV-04', otherKey.status >= 400, `code exchanged with another DPoP key: ${otherKey.status}`);
    const noDpop = await exchangeCode(await authorize(), { noDpop: true });
    check('DPOP-SRV-07', noDpop.status >= 400, `token request without DPoP: ${noDpop.status}`);
    const badHtu = await dpopRequest(book, tokenEndpoint(), {
      key: a.key,
      htu: `${tokenEndpoint()}/elsewhere`,
      form: {
        grant_type: 'authorization_code',
        code: 'x',
        redirect_uri: a.form.redirect_uri,
        code_verifier: a.pkce.verifier,
        client_id: CLIENT_ID,
      },
    });
    const err = badHtu.last.json?.error ?? badHtu.last.headers.get('www-authenticate');
    check(
      'DPOP-SRV-06',
      String(err).includes('invalid_dpop_proof'),
      `bad htu at the token endpoint: ${badHtu.last.status} ${String(err)}`,
    );
    const t: ServerAnswer = await exchangeCode(a);
    const j = t.json ?? {};
    check(
      'DPOP-SRV-03',
      t.status === 200 && j.token_type === 'DPoP',
      `token answer ${t.status} token_type ${String(j.token_type)}`,
    );
    check('TOKEN-SUB-01', typeof j.sub === 'string' && /^did:(plc|web):/.test(j.sub), `sub ${String(j.sub)}`);
    check(
      'TOKEN-SCOPE-01',
      typeof j.scope === 'string' && j.scope.split(' ').includes('atproto'),
      `scope ${String(j.scope)}`,
    );
    check('LIFE-01', typeof j.expires_in === 'number' && j.expires_in <= 1800, `expires_in ${String(j.expires_in)}`);
    const replay = await exchangeCode(a);
    check(
      'PKCE-06',
      replay.status === 400 && replay.json?.error === 'invalid_grant',
      `second use of the code: ${replay.status}`,
    );
    if (t.status === 200 && typeof j.access_token === 'string' && typeof j.refresh_token === 'string') {
      // PKCE-06: the tokens of the first use are revoked after the replay.
      const after = await dpopRequest(book, tokenEndpoint(), {
        key: a.key,
        form: { grant_type: 'refresh_token', refresh_token: j.refresh_token, client_id: CLIENT_ID },
      });
      check('PKCE-06', after.last.status >= 400, 'tokens survived a replayed code');
      // A clean session for the resource-server checks.
      const b = await authorize();
      const bt = await exchangeCode(b);
      const bj = bt.json ?? {};
      if (bt.status === 200)
        good = { key: b.key, access: String(bj.access_token), refresh: String(bj.refresh_token), sub: String(bj.sub) };
    }
  });

  await run('server-resource', async () => {
    if (!good) throw new Error('no session to probe the resource server with');
    if (!pds) throw new Error('no PDS (the URL has no protected-resource metadata)');
    const url = `${pds}/xrpc/com.atproto.server.getSession`;
    const first = await dpopRequest(book, url, { key: good.key, accessToken: good.access, noRetry: true });
    const challenge = first.last.headers.get('www-authenticate') ?? '';
    const demanded =
      first.last.status === 401 && challenge.includes('use_dpop_nonce') && !!first.last.headers.get('dpop-nonce');
    const known = first.last.status === 200; // a nonce already learned is fine
    check('NONCE-02', demanded || known, `first PDS call: ${first.last.status} ${challenge}`);
    const ok = await dpopRequest(book, url, { key: good.key, accessToken: good.access });
    check('RS-01', ok.last.status === 200, `DPoP call: ${ok.last.status} ${ok.last.text.slice(0, 100)}`);
    const replay = await dpopRequest(book, url, { key: good.key, accessToken: good.access, proof: ok.proof });
    check('DPOP-SRV-02', replay.last.status === 401, `replayed proof: ${replay.last.status}`);
    const bearer = await exchange(url, { headers: { authorization: `Bearer ${good.access}` } });
    // Refused is what the row asks; RFC 9449 expects 401, which the detail shows when it differs.
    check('DPOP-SRV-05', bearer.status >= 400 && bearer.status < 500, `Bearer: ${bearer.status}`);
    const otherKey = await dpopRequest(book, url, { key: await generateDpopKey(), accessToken: good.access });
    check('DPOP-SRV-01', otherKey.last.status === 401, `token with another key: ${otherKey.last.status}`);
    check(
      'RS-01',
      otherKey.last.status === 401 && (otherKey.last.headers.get('www-authenticate') ?? '').startsWith('DPoP'),
      `challenge ${otherKey.last.headers.get('www-authenticate')}`,
    );
    check('RS-02', typeof otherKey.last.json?.error === 'string', `error body ${otherKey.last.text.slice(0, 100)}`);
    const badHtu = await dpopRequest(book, url, {
      key: good.key,
      accessToken: good.access,
      htu: `${pds}/xrpc/other.method`,
    });
    check(
      'DPOP-SRV-06',
      badHtu.last.status === 401 && (badHtu.last.headers.get('www-authenticate') ?? '').includes('invalid_dpop_proof'),
      `bad htu: ${badHtu.last.status} ${badHtu.last.headers.get('www-authenticate')}`,
    );
    check('DPOP-SRV-01', badHtu.last.status === 401, 'bad htu accepted');
  });

  await run('server-refresh', async () => {
    if (!good) throw new Error('no session to refresh');
    const form = (t: string) => ({ grant_type: 'refresh_token', refresh_token: t, client_id: CLIENT_ID });
    const r1 = await dpopRequest(book, tokenEndpoint(), { key: good.key, form: form(good.refresh) });
    const next = r1.last.json?.refresh_token;
    const replay = await dpopRequest(book, tokenEndpoint(), { key: good.key, form: form(good.refresh) });
    check(
      'REFRESH-08',
      r1.last.status === 200 && replay.last.status === 400,
      `refresh ${r1.last.status}, replay ${replay.last.status}`,
    );
    // A separate session for the key-binding check, so a server that kills the grant on a
    // wrong-key attempt cannot spoil the replay check above.
    const other = await authorize();
    const ot = (await exchangeCode(other)).json ?? {};
    if (typeof ot.refresh_token === 'string') {
      const otherKey = await dpopRequest(book, tokenEndpoint(), {
        key: await generateDpopKey(),
        form: form(ot.refresh_token),
      });
      check('DPOP-SRV-03', otherKey.last.status >= 400, `refresh with another key: ${otherKey.last.status}`);
    }
    const revokeEndpoint = meta.revocation_endpoint;
    if (typeof revokeEndpoint === 'string') {
      const bogus = await dpopRequest(book, revokeEndpoint, {
        key: good.key,
        form: { token: 'not-a-token', client_id: CLIENT_ID },
      });
      check('REVOKE-02', bogus.last.status === 200, `revoking an unknown token: ${bogus.last.status}`);
      if (typeof next === 'string') {
        // The grant may already be dead after the replay (REFRESH-08); revoke must still answer 200.
        const rv = await dpopRequest(book, revokeEndpoint, {
          key: good.key,
          form: { token: next, client_id: CLIENT_ID },
        });
        const after = await dpopRequest(book, tokenEndpoint(), { key: good.key, form: form(next) });
        check(
          'REVOKE-02',
          rv.last.status === 200 && after.last.status >= 400,
          `revoke ${rv.last.status}, refresh after ${after.last.status}`,
        );
      }
    }
  });

  return {
    implementation: options.name ?? options.url,
    profile: 'server',
    verdicts,
    rows: foldVerdicts(verdicts),
    errors,
  };
}
