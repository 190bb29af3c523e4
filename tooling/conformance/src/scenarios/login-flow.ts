import type { LoggedRequest } from '@relay/testnet';
import { CLIENT_ID, DEFAULT_SCOPE, REDIRECT_URI, type Scenario } from '../scenario.js';
import { dpopRequests, field, firstProof, isUseDpopNonce, proofs, s256 } from './inspect.js';

/**
 * The honest network, two logins from a handle resolved by DNS, one record written: judges
 * everything a correct flow shows on the wire (PAR fields, PKCE, DPoP proofs, nonces, tokens).
 */
export const loginFlow: Scenario = {
  id: 'login-flow',
  title: 'Handle (DNS) login on an honest network, twice, with a write',
  judges: [
    'ID-HANDLE-04',
    'ID-HANDLE-09',
    'ID-DID-04',
    'ID-DID-07',
    'META-RS-01',
    'AS-META-01',
    'CLIENT-PAR-01',
    'CLIENT-PAR-02',
    'CLIENT-PAR-03',
    'CLIENT-PAR-04',
    'CLIENT-PAR-05',
    'CLIENT-PAR-06',
    'CLIENT-PAR-07',
    'CLIENT-PAR-08',
    'CLIENT-PAR-09',
    'CLIENT-STATE-01',
    'PKCE-01',
    'PKCE-02',
    'PKCE-03',
    'PKCE-04',
    'TOKEN-REQ-01',
    'TOKEN-RESP-02',
    'REDIRECT-07',
    'DPOP-01',
    'DPOP-02',
    'DPOP-03',
    'DPOP-04',
    'DPOP-05',
    'DPOP-06',
    'DPOP-07',
    'DPOP-08',
    'DPOP-09',
    'DPOP-10',
    'NONCE-01',
    'NONCE-02',
    'CONF-06',
    'SCOPE-01',
    'REDIRECT-01',
  ],
  async run(ctx) {
    const alice = [...ctx.net.accounts.values()][0];
    if (!alice) throw new Error('no account');
    const first = await ctx.mustLogin('alice.test');
    const firstLog = ctx.requests();
    const write = await ctx.writeRecord(first.did);
    const second = await ctx.mustLogin('alice.test');
    const log = ctx.requests();
    const pdsOrigin = ctx.net.pds.url;
    const issuer = ctx.net.as.issuer;

    ctx.check(
      'ID-HANDLE-04',
      first.did === alice.did && ctx.net.dns.queries.includes('_atproto.alice.test'),
      `session DID ${first.did}, DNS queries ${ctx.net.dns.queries.join(' ')}`,
    );
    ctx.check('ID-HANDLE-09', first.did === alice.did, 'a DNS-only handle did not log in');
    ctx.check('ID-DID-04', ctx.net.plc.requests.includes(alice.did), 'the PLC directory was never asked for the DID');
    const prm = log.filter((r) => r.server === 'pds' && r.endpoint === 'prm');
    ctx.check('ID-DID-07', prm.length > 0, 'the PDS named in the DID document was never contacted');
    ctx.check(
      'META-RS-01',
      prm.some((r) => r.path === '/.well-known/oauth-protected-resource' && r.method === 'GET'),
      'no GET of /.well-known/oauth-protected-resource',
    );
    ctx.check(
      'AS-META-01',
      log.some((r) => r.endpoint === 'as-metadata' && r.method === 'GET'),
      'AS metadata never fetched',
    );

    const pars = log.filter((r) => r.endpoint === 'par');
    const okPars = pars.filter((r) => r.status === 201);
    const tokens = log.filter((r) => r.endpoint === 'token' && r.status === 200);
    ctx.check(
      'CLIENT-PAR-01',
      okPars.length === 2 && !log.some((r) => r.endpoint === 'authorize' && r.status !== 302),
      `successful PARs: ${okPars.length}`,
    );
    const required: Record<string, string | undefined> = {
      client_id: CLIENT_ID,
      response_type: 'code',
      code_challenge_method: 'S256',
      redirect_uri: REDIRECT_URI,
    };
    for (const par of okPars) {
      const missing = [
        'client_id',
        'response_type',
        'code_challenge',
        'code_challenge_method',
        'state',
        'redirect_uri',
        'scope',
      ].filter((n) => field(par, n) === undefined);
      const wrong = Object.entries(required)
        .filter(([k, v]) => field(par, k) !== v)
        .map(([k]) => k);
      ctx.check(
        'CLIENT-PAR-02',
        missing.length === 0 && wrong.length === 0,
        `missing or repeated: ${missing.join(',')}; wrong: ${wrong.join(',')}`,
      );
      ctx.check(
        'CLIENT-PAR-03',
        !par.form?.client_secret && !par.form?.request_uri,
        'PAR carried client_secret or request_uri',
      );
      const scope = (field(par, 'scope') ?? '').split(' ');
      ctx.check(
        'CLIENT-PAR-04',
        scope.includes('atproto') && scope.every((s) => DEFAULT_SCOPE.split(' ').includes(s)),
        `requested scope "${scope.join(' ')}"`,
      );
      ctx.check('SCOPE-01', scope.includes('atproto'), 'scope without atproto');
      ctx.check(
        'REDIRECT-01',
        field(par, 'redirect_uri') === REDIRECT_URI,
        `redirect_uri ${JSON.stringify(par.form?.redirect_uri)} is not the registered one`,
      );
      ctx.check(
        'CLIENT-PAR-08',
        field(par, 'login_hint') === 'alice.test',
        `login_hint ${JSON.stringify(par.form?.login_hint)}`,
      );
      ctx.check('PKCE-03', field(par, 'code_challenge_method') === 'S256', 'code_challenge_method is not S256');
    }
    // CLIENT-PAR-05 / NONCE-01: the first PAR is refused for its missing nonce, the retry carries the nonce and succeeds.
    const firstPar = pars[0];
    const retry = pars[1];
    ctx.check(
      'CLIENT-PAR-05',
      !!firstPar && firstPar.dpopHeaders.length === 1 && okPars.every((p) => p.dpop !== undefined),
      'PAR without a valid DPoP proof',
    );
    ctx.check(
      'NONCE-01',
      !!firstPar &&
        isUseDpopNonce(firstPar) &&
        !!retry &&
        retry.status === 201 &&
        firstProof(retry)?.claims.nonce === firstPar.nonce,
      `first PAR ${firstPar?.status} ${firstPar?.error}, retry ${retry?.status} with nonce ${String(firstProof(retry as LoggedRequest)?.claims.nonce)}`,
    );
    ctx.check(
      'CLIENT-PAR-06',
      okPars.length === 2 && tokens.length === 2,
      'a 201 PAR response did not lead to a code exchange',
    );

    // CLIENT-PAR-07: the browser gets the https/endpoint URL with client_id and request_uri only.
    const endpoint = String(ctx.net.as.metadata().authorization_endpoint);
    for (const href of ctx.authorizationUrls) {
      const url = new URL(href);
      const keys = [...url.searchParams.keys()].sort().join(',');
      ctx.check(
        'CLIENT-PAR-07',
        `${url.origin}${url.pathname}` === endpoint && keys === 'client_id,request_uri',
        `authorization URL ${href}`,
      );
    }

    // state and PKCE
    const states = okPars.map((p) => field(p, 'state') ?? '');
    ctx.check(
      'CLIENT-STATE-01',
      states.every((s) => s.length >= 22) && new Set(states).size === states.length,
      `states ${states.join(' , ')}`,
    );
    const decodesToJson = (v: string) => {
      try {
        JSON.parse(Buffer.from(v, 'base64url').toString('utf8'));
        return true;
      } catch {
        return false;
      }
    };
    const opaque = states.every(
      (s) =>
        !s.includes(alice.did) &&
        !s.includes('alice.test') &&
        !s.includes(issuer) &&
        s.split('.').length < 3 &&
        !decodesToJson(s),
    );
    ctx.check('CLIENT-PAR-09', opaque, 'state carries readable data');
    const verifiers = tokens.map((t) => field(t, 'code_verifier') ?? '');
    ctx.check(
      'PKCE-01',
      verifiers.every((v) => /^[A-Za-z0-9._~-]{43,128}$/.test(v)) && new Set(verifiers).size === verifiers.length,
      `verifiers ${verifiers.join(' , ')}`,
    );
    ctx.check(
      'PKCE-04',
      verifiers.every((v) => v !== ''),
      'code exchange without code_verifier',
    );
    okPars.forEach((par, i) => {
      ctx.check(
        'PKCE-02',
        field(par, 'code_challenge') === s256(verifiers[i] ?? ''),
        'code_challenge is not S256(verifier)',
      );
    });

    // token request
    tokens.forEach((t, i) => {
      const par = okPars[i];
      const fieldsOk =
        field(t, 'grant_type') === 'authorization_code' &&
        !!field(t, 'code') &&
        field(t, 'client_id') === CLIENT_ID &&
        !!field(t, 'code_verifier');
      ctx.check('TOKEN-REQ-01', fieldsOk && t.dpop?.jkt === par?.dpop?.jkt, 'token request fields or DPoP key wrong');
      ctx.check(
        'REDIRECT-07',
        field(t, 'redirect_uri') === field(par, 'redirect_uri'),
        'token redirect_uri differs from PAR',
      );
    });
    ctx.check(
      'TOKEN-RESP-02',
      !write.refused && write.status === 200,
      `write with the opaque token: ${write.refused ? write.message : write.status}`,
    );

    // DPoP
    const sent = dpopRequests(log);
    for (const r of sent) {
      for (const p of proofs(r)) {
        ctx.check('DPOP-01', p.header.alg === 'ES256', `alg ${String(p.header.alg)} on ${r.path}`);
        const jwk = p.header.jwk as Record<string, unknown> | undefined;
        ctx.check(
          'DPOP-03',
          p.header.typ === 'dpop+jwt' && !!jwk && jwk.kty === 'EC' && jwk.d === undefined,
          `header ${JSON.stringify(p.header)} on ${r.path}`,
        );
        const htu = String(p.claims.htu ?? '');
        const origin = r.server === 'as' ? issuer : pdsOrigin;
        const iat = Number(p.claims.iat);
        const ok =
          typeof p.claims.jti === 'string' &&
          p.claims.jti.length >= 16 &&
          p.claims.htm === r.method &&
          htu === `${origin}${r.path}` &&
          Math.abs(iat - Date.now() / 1000) < 120;
        ctx.check('DPOP-04', ok, `claims ${JSON.stringify(p.claims)} for ${r.method} ${r.path}`);
        ctx.check('DPOP-10', p.signatureBytes === 64, `signature of ${p.signatureBytes} bytes`);
      }
      ctx.check(
        'DPOP-08',
        r.dpopHeaders.length === 1 && !r.dpopHeaders[0]?.includes(','),
        `${r.dpopHeaders.length} DPoP headers on ${r.path}`,
      );
    }
    const jtis = sent.flatMap((r) => proofs(r).map((p) => p.claims.jti));
    ctx.check('DPOP-07', new Set(jtis).size === jtis.length, 'a proof jti was reused');
    const firstJkts = new Set(
      dpopRequests(firstLog)
        .map((r) => r.dpop?.jkt)
        .filter(Boolean),
    );
    const allParJkts = okPars.map((p) => p.dpop?.jkt);
    ctx.check(
      'DPOP-02',
      firstJkts.size === 1 && new Set(allParJkts).size === 2,
      `keys in first login ${firstJkts.size}, PAR keys ${allParJkts.join(' ')}`,
    );
    // DPOP-05: once a server issued a nonce to a DPoP request, every later proof to it carries one.
    for (const server of ['as', 'pds'] as const) {
      let issued = false;
      for (const r of log.filter((x) => x.server === server)) {
        if (issued && r.dpopHeaders.length > 0)
          ctx.check('DPOP-05', typeof firstProof(r)?.claims.nonce === 'string', `proof without nonce to ${r.path}`);
        if (r.nonce && r.dpopHeaders.length > 0) issued = true;
      }
    }
    const asPosts = log.filter((r) => r.server === 'as' && r.method === 'POST');
    const pdsAuthed = log.filter((r) => r.server === 'pds' && r.authorization);
    ctx.check(
      'DPOP-09',
      asPosts.every((r) => r.dpopHeaders.length > 0) && pdsAuthed.every((r) => r.dpopHeaders.length > 0),
      'an AS or PDS request went without DPoP',
    );
    for (const r of pdsAuthed) {
      const token = r.authorization?.replace(/^DPoP /, '') ?? '';
      ctx.check(
        'DPOP-06',
        r.authorization?.startsWith('DPoP ') === true && firstProof(r)?.claims.ath === s256(token),
        `Authorization "${r.authorization?.split(' ')[0]}", ath ${String(firstProof(r)?.claims.ath)}`,
      );
    }
    const writes = log.filter((r) => r.server === 'pds' && r.endpoint === 'com.atproto.repo.createRecord');
    ctx.check(
      'NONCE-02',
      writes.length === 2 && isUseDpopNonce(writes[0] as LoggedRequest) && writes[1]?.status === 200,
      `PDS write statuses ${writes.map((w) => w.status).join(',')}`,
    );
    ctx.check(
      'CONF-06',
      asPosts.every((r) => !r.form?.client_assertion && !r.form?.client_assertion_type),
      'a public client sent a client assertion',
    );
    void second;
  },
};
