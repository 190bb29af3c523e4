import { type ClientMetadata, loopbackClientMetadata } from '@relay/oauth-core';
import { verifyPkce } from '@relay/pkce';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { checkDpop, newReplayCache } from './dpop-guard.js';
import type { Faults } from './faults.js';
import { type Grant, Grants } from './grants.js';
import {
  form,
  html,
  json,
  type MockRequest,
  type MockResponse,
  oauthError,
  type StartedServer,
  startHttpServer,
  withCors,
} from './http-server.js';
import { NonceManager } from './nonce-manager.js';
import { finishResponse, formRecord, type LoggedRequest } from './request-log.js';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

interface PendingRequest {
  clientId: string;
  redirectUri: string;
  scope: string;
  state: string;
  challenge: string;
  challengeMethod: string;
  jkt: string;
  kid?: string;
  loginHint?: string;
  expiresAt: number;
}

interface IssuedCode {
  request: PendingRequest;
  sub: string;
  scope: string;
  used: boolean;
  grant?: Grant;
}

export interface AuthorizationServerDeps {
  faults: () => Faults;
  grants: Grants;
  log: LoggedRequest[];
  /** login_hint (handle or DID) → DID, or undefined for unknown accounts. */
  resolveHint: (hint: string) => string | undefined;
  /** Default account when no login_hint was sent. */
  defaultDid: () => string | undefined;
  /** Called for every PAR so the PDS can share nonce rotation settings. */
  onResponse?: () => void;
}

/** The mock ATProto authorization server: metadata, PAR, authorize (scripted), token, revoke. */
export class AuthorizationServer {
  readonly nonces = new NonceManager();
  readonly clients = new Map<string, ClientMetadata>();
  readonly #pending = new Map<string, PendingRequest>();
  readonly #codes = new Map<string, IssuedCode>();
  readonly #usedChallenges = new Set<string>();
  readonly #assertionJtis = new Set<string>();
  readonly #replay = newReplayCache();
  #server?: StartedServer;

  constructor(private readonly deps: AuthorizationServerDeps) {}

  get issuer(): string {
    if (!this.#server) throw new Error('authorization server not started');
    return this.#server.origin;
  }

  async start(): Promise<void> {
    // AS-META-15: CORS on metadata, PAR, token and revocation for browser apps; never on the
    // authorization endpoint, which is a top-level navigation.
    this.#server = await startHttpServer(withCors((req) => this.#handle(req), { except: ['/oauth/authorize'] }));
  }

  async stop(): Promise<void> {
    await this.#server?.close();
  }

  /** Registers a client metadata document as if fetched from its client_id URL. */
  registerClient(metadata: ClientMetadata): void {
    this.clients.set(metadata.client_id, metadata);
  }

  metadata(): Record<string, unknown> {
    const i = this.issuer;
    const m: Record<string, unknown> = {
      issuer: i,
      authorization_endpoint: `${i}/oauth/authorize`,
      token_endpoint: `${i}/oauth/token`,
      pushed_authorization_request_endpoint: `${i}/oauth/par`,
      revocation_endpoint: `${i}/oauth/revoke`,
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code', 'refresh_token'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['none', 'private_key_jwt'],
      token_endpoint_auth_signing_alg_values_supported: ['ES256'],
      scopes_supported: ['atproto', 'transition:generic', 'transition:email', 'transition:chat.bsky'],
      dpop_signing_alg_values_supported: ['ES256'],
      authorization_response_iss_parameter_supported: true,
      require_pushed_authorization_requests: true,
      client_id_metadata_document_supported: true,
      request_parameter_supported: false,
    };
    this.deps.faults().asMetadata?.(m);
    return m;
  }

  async #handle(req: MockRequest): Promise<MockResponse> {
    const path = req.url.pathname;
    const entry: LoggedRequest = {
      server: 'as',
      endpoint: path,
      method: req.method,
      path,
      status: 0,
      dpopHeaders: req.headers.dpop === undefined ? [] : ([] as string[]).concat(req.headers.dpop),
    };
    if (req.method === 'POST') entry.form = formRecord(form(req));
    let res: MockResponse;
    try {
      res = await this.#route(req, entry);
    } catch (err) {
      res = oauthError(500, 'server_error', (err as Error).message);
    }
    return finishResponse(res, entry, {
      nonces: this.nonces,
      omitNonceOnSuccess: this.deps.faults().omitNonceOnSuccess.has('as'),
      log: this.deps.log,
    });
  }

  async #route(req: MockRequest, entry: LoggedRequest): Promise<MockResponse> {
    const path = req.url.pathname;
    const faults = this.deps.faults();
    this.nonces.rotateEvery = faults.nonceRotateEvery;
    this.nonces.rejectAll = faults.nonceRejectAll.has('as');
    this.nonces.acceptPrevious = !faults.strictNonce;
    const overridden = faults.override?.('as', { method: req.method, path });
    if (overridden) return overridden;
    if (path === '/.well-known/oauth-authorization-server' && req.method === 'GET') {
      entry.endpoint = 'as-metadata';
      if (faults.htmlInsteadOfJson.has('as-metadata')) return html(200, '<html><body>Sign in</body></html>');
      return json(200, this.metadata());
    }
    if (path === '/oauth/par') {
      entry.endpoint = 'par';
      if (req.method !== 'POST') return oauthError(405, 'invalid_request', 'PAR takes POST');
      if (faults.htmlInsteadOfJson.has('par')) return html(201, '<html>pushed</html>');
      return this.#par(req, entry);
    }
    if (path === '/oauth/authorize' && req.method === 'GET') {
      entry.endpoint = 'authorize';
      return this.#authorize(req);
    }
    if (path === '/oauth/token') {
      entry.endpoint = 'token';
      if (req.method !== 'POST') return oauthError(405, 'invalid_request', 'token takes POST');
      if (faults.htmlInsteadOfJson.has('token')) return html(200, '<html>token</html>');
      return this.#token(req, entry);
    }
    if (path === '/oauth/revoke' && req.method === 'POST') {
      entry.endpoint = 'revoke';
      return this.#revoke(req, entry);
    }
    return oauthError(404, 'not_found', `no endpoint ${req.method} ${path}`);
  }

  /** Client authentication (CONF-01..06): none for public clients, a verified assertion otherwise. */
  async #authenticateClient(
    params: URLSearchParams,
  ): Promise<{ ok: true; client: ClientMetadata; kid?: string } | { ok: false; response: MockResponse }> {
    const clientId = params.get('client_id');
    if (!clientId) return { ok: false, response: oauthError(400, 'invalid_request', 'client_id is required') };
    if (params.has('client_secret')) {
      return {
        ok: false,
        response: oauthError(400, 'invalid_request', 'client_secret is not allowed (CLIENT-PAR-03)'),
      };
    }
    let client = this.clients.get(clientId);
    if (!client && clientId.startsWith('http://localhost')) {
      try {
        client = loopbackClientMetadata(clientId);
      } catch (err) {
        return { ok: false, response: oauthError(400, 'invalid_client', (err as Error).message) };
      }
    }
    if (!client) return { ok: false, response: oauthError(400, 'invalid_client', `unknown client ${clientId}`) };
    const assertion = params.get('client_assertion');
    if (client.token_endpoint_auth_method !== 'private_key_jwt') {
      if (assertion !== null) {
        return {
          ok: false,
          response: oauthError(400, 'invalid_client', 'a public client must not send an assertion (CONF-06)'),
        };
      }
      return { ok: true, client };
    }
    if (params.get('client_assertion_type') !== ASSERTION_TYPE || assertion === null) {
      return { ok: false, response: oauthError(400, 'invalid_client', 'client assertion required (CONF-01)') };
    }
    try {
      const jwks = createLocalJWKSet(client.jwks as never);
      const { payload, protectedHeader } = await jwtVerify(assertion, jwks, {
        algorithms: ['ES256'],
        issuer: clientId,
        subject: clientId,
        audience: this.issuer, // CONF-03: aud is the issuer, exactly
        maxTokenAge: 300,
        requiredClaims: ['jti', 'exp', 'iat'],
      });
      const jti = String(payload.jti);
      if (this.#assertionJtis.has(jti)) throw new Error('assertion jti replayed');
      this.#assertionJtis.add(jti);
      return { ok: true, client, ...(protectedHeader.kid ? { kid: protectedHeader.kid } : {}) };
    } catch (err) {
      return {
        ok: false,
        response: oauthError(400, 'invalid_client', `client assertion refused: ${(err as Error).message}`),
      };
    }
  }

  /** What every direct AS request must pass first: DPoP (DPOP-09, nonce) and client authentication. */
  async #checkRequest(
    req: MockRequest,
    entry: LoggedRequest,
    path: string,
  ): Promise<
    | { response: MockResponse }
    | { dpop: { jkt: string }; params: URLSearchParams; auth: { client: ClientMetadata; kid?: string } }
  > {
    const dpop = await checkDpop({
      req,
      url: `${this.issuer}${path}`,
      nonces: this.nonces,
      replayCache: this.#replay,
      style: 'as',
    });
    if (!dpop.ok) return { response: dpop.response };
    entry.dpop = { jkt: dpop.jkt, claims: dpop.claims };
    const params = form(req);
    const auth = await this.#authenticateClient(params);
    if (!auth.ok) return { response: auth.response };
    return { dpop, params, auth };
  }

  async #par(req: MockRequest, entry: LoggedRequest): Promise<MockResponse> {
    const faults = this.deps.faults();
    const checked = await this.#checkRequest(req, entry, '/oauth/par');
    if ('response' in checked) return checked.response;
    const { dpop, params: p, auth } = checked;
    if (p.has('request_uri'))
      return oauthError(400, 'invalid_request', 'request_uri must not be pushed (CLIENT-PAR-03)');
    for (const name of ['response_type', 'code_challenge', 'code_challenge_method', 'state', 'redirect_uri', 'scope']) {
      if (!p.get(name)) return oauthError(400, 'invalid_request', `${name} is required (CLIENT-PAR-02)`);
    }
    if (p.get('response_type') !== 'code') return oauthError(400, 'unsupported_response_type', 'only code');
    const method = p.get('code_challenge_method') as string;
    if (method !== 'S256' && !(faults.acceptPlainPkce && method === 'plain')) {
      return oauthError(400, 'invalid_request', 'code_challenge_method must be S256 (PKCE-03)');
    }
    const challenge = p.get('code_challenge') as string;
    // PKCE-05: a challenge is not reusable.
    if (this.#usedChallenges.has(challenge))
      return oauthError(400, 'invalid_request', 'code_challenge reused (PKCE-05)');
    this.#usedChallenges.add(challenge);
    const redirectUri = p.get('redirect_uri') as string;
    if (!redirectMatches(auth.client, redirectUri)) {
      return oauthError(400, 'invalid_request', `redirect_uri ${redirectUri} is not registered (REDIRECT-01)`);
    }
    const scope = p.get('scope') as string;
    const declared = new Set(auth.client.scope.split(' '));
    const requested = scope.split(' ');
    if (!requested.includes('atproto'))
      return oauthError(400, 'invalid_scope', 'scope must include atproto (SCOPE-01)');
    const undeclared = requested.filter((s) => !declared.has(s));
    if (undeclared.length > 0)
      return oauthError(400, 'invalid_scope', `undeclared scope ${undeclared.join(' ')} (SCOPE-02)`);
    const requestUri = `urn:ietf:params:oauth:request_uri:${Grants.token('req')}`;
    const loginHint = p.get('login_hint') ?? undefined;
    this.#pending.set(requestUri, {
      clientId: auth.client.client_id,
      redirectUri,
      scope,
      state: p.get('state') as string,
      challenge,
      challengeMethod: method,
      jkt: dpop.jkt, // DPOP-SRV-04: the code will be bound to this key
      ...(auth.kid ? { kid: auth.kid } : {}),
      ...(loginHint ? { loginHint } : {}),
      expiresAt: Date.now() + 60_000,
    });
    return json(201, { request_uri: requestUri, expires_in: 60 }, { 'cache-control': 'no-store' });
  }

  #authorize(req: MockRequest): MockResponse {
    const faults = this.deps.faults();
    const requestUri = req.url.searchParams.get('request_uri') ?? '';
    const pending = this.#pending.get(requestUri);
    // CLIENT-PAR-11: request_uri is single use and short-lived.
    this.#pending.delete(requestUri);
    if (!pending || pending.expiresAt < Date.now()) return html(400, '<h1>Unknown or expired request_uri</h1>');
    if (req.url.searchParams.get('client_id') !== pending.clientId) return html(400, '<h1>client_id mismatch</h1>');
    const hintedDid = pending.loginHint ? this.deps.resolveHint(pending.loginHint) : undefined;
    const decision =
      typeof faults.consent === 'function'
        ? faults.consent({
            clientId: pending.clientId,
            scope: pending.scope,
            ...(pending.loginHint ? { loginHint: pending.loginHint } : {}),
            ...(hintedDid ? { hintedDid } : {}),
          })
        : faults.consent;
    const target = new URL(pending.redirectUri);
    target.searchParams.set('state', pending.state);
    const iss = faults.issParam === 'wrong' ? 'https://evil.example' : this.issuer;
    if (!decision.approve) {
      target.searchParams.set('error', 'access_denied');
      target.searchParams.set('error_description', 'The user declined');
      if (faults.issParam !== 'missing') target.searchParams.set('iss', iss); // ISS-03: errors carry iss too
      return { status: 302, headers: { location: target.href } };
    }
    const sub = decision.asDid ?? hintedDid ?? this.deps.defaultDid();
    if (!sub) return html(400, '<h1>No account to sign in with</h1>');
    const code = Grants.token('code');
    this.#codes.set(code, { request: pending, sub, scope: decision.grantScope ?? pending.scope, used: false });
    target.searchParams.set('code', code);
    if (faults.issParam !== 'missing') target.searchParams.set('iss', iss);
    return { status: 302, headers: { location: target.href } };
  }

  #tokenResponse(grant: Grant, accessToken: string, sub: string): MockResponse {
    const faults = this.deps.faults();
    return json(200, {
      access_token: accessToken,
      token_type: 'DPoP',
      expires_in: faults.accessTokenTtl,
      refresh_token: grant.refreshToken,
      scope: grant.scope,
      sub,
      ...faults.tokenResponse,
    });
  }

  async #token(req: MockRequest, entry: LoggedRequest): Promise<MockResponse> {
    const faults = this.deps.faults();
    const checked = await this.#checkRequest(req, entry, '/oauth/token');
    if ('response' in checked) return checked.response;
    const { dpop, params: p, auth } = checked;
    const grantType = p.get('grant_type');
    if (grantType === 'authorization_code') {
      const issued = this.#codes.get(p.get('code') ?? '');
      if (!issued) return oauthError(400, 'invalid_grant', 'unknown code');
      if (issued.used && !faults.allowCodeReuse) {
        // PKCE-06: a reused code is refused and the tokens of its first use are revoked.
        if (issued.grant) this.deps.grants.revoke(issued.grant);
        return oauthError(400, 'invalid_grant', 'code already used');
      }
      issued.used = true;
      const r = issued.request;
      if (r.clientId !== auth.client.client_id)
        return oauthError(400, 'invalid_grant', 'code issued to another client');
      // REDIRECT-07: the same redirect_uri as in PAR.
      if (p.get('redirect_uri') !== r.redirectUri) return oauthError(400, 'invalid_grant', 'redirect_uri mismatch');
      // DPOP-SRV-04: the code is bound to the PAR key.
      if (dpop.jkt !== r.jkt) return oauthError(400, 'invalid_grant', 'DPoP key differs from the PAR key');
      if (!faults.skipPkce) {
        const verifier = p.get('code_verifier');
        // PKCE-04 / PKCE-07
        if (!verifier) return oauthError(400, 'invalid_grant', 'code_verifier is required (PKCE-04)');
        try {
          if (r.challengeMethod === 'plain' && faults.acceptPlainPkce) {
            if (verifier !== r.challenge) throw new Error('plain mismatch');
          } else await verifyPkce({ verifier, challenge: r.challenge, method: r.challengeMethod });
        } catch {
          return oauthError(400, 'invalid_grant', 'code_verifier does not match (PKCE-07)');
        }
      }
      const grant = this.deps.grants.create({
        clientId: r.clientId,
        sub: issued.sub,
        scope: issued.scope,
        jkt: dpop.jkt,
        ...(auth.kid ? { kid: auth.kid } : {}),
      });
      issued.grant = grant;
      const at = this.deps.grants.issueAccessToken(grant, faults.accessTokenTtl);
      return this.#tokenResponse(grant, at, faults.tokenSub ?? issued.sub);
    }
    if (grantType === 'refresh_token') {
      const token = p.get('refresh_token') ?? '';
      const grant = this.deps.grants.byRefreshToken(token);
      if (!grant || grant.revoked) return oauthError(400, 'invalid_grant', 'refresh token revoked or unknown');
      if (grant.clientId !== auth.client.client_id) return oauthError(400, 'invalid_grant', 'client mismatch');
      if (grant.refreshToken !== token) {
        // REFRESH-08: replay of a rotated refresh token kills the whole grant, as the reference AS does.
        this.deps.grants.revoke(grant);
        return oauthError(400, 'invalid_grant', 'refresh token replayed; session revoked');
      }
      // DPOP-SRV-03: refresh with the grant's own key.
      if (dpop.jkt !== grant.jkt) return oauthError(400, 'invalid_grant', 'DPoP key differs from the grant key');
      // CONF-04 / CONF-05: same client key as the grant, and that key still published.
      if (grant.kid !== undefined) {
        const published = (auth.client.jwks?.keys ?? []).some((k) => k.kid === grant.kid);
        if (auth.kid !== grant.kid || !published)
          return oauthError(400, 'invalid_client', 'client key changed or retired');
      }
      this.deps.grants.rotateRefreshToken(grant);
      const at = this.deps.grants.issueAccessToken(grant, faults.accessTokenTtl);
      return this.#tokenResponse(grant, at, faults.refreshSub ?? grant.sub);
    }
    return oauthError(400, 'unsupported_grant_type', `grant_type ${grantType} is not supported`);
  }

  async #revoke(req: MockRequest, entry: LoggedRequest): Promise<MockResponse> {
    if (this.deps.faults().revocationDown) return oauthError(500, 'server_error', 'revocation is down');
    const checked = await this.#checkRequest(req, entry, '/oauth/revoke');
    if ('response' in checked) return checked.response;
    const { params: p, auth } = checked;
    const token = p.get('token') ?? '';
    const grant =
      this.deps.grants.byRefreshToken(token) ??
      this.deps.grants.byId.get(this.deps.grants.accessTokens.get(token)?.grantId ?? '');
    if (grant && grant.clientId === auth.client.client_id) this.deps.grants.revoke(grant);
    // REVOKE-02: 200 for valid and invalid tokens alike.
    return { status: 200, headers: { 'cache-control': 'no-store' }, body: '' };
  }
}

/** REDIRECT-01 exact match; LOOPBACK-05: loopback redirects match ignoring the port. */
function redirectMatches(client: ClientMetadata, uri: string): boolean {
  if (client.redirect_uris.includes(uri)) return true;
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' || (url.hostname !== '127.0.0.1' && url.hostname !== '[::1]')) return false;
  return client.redirect_uris.some((r) => {
    const reg = new URL(r);
    return (
      reg.protocol === 'http:' &&
      reg.hostname === url.hostname &&
      reg.pathname === url.pathname &&
      reg.search === url.search
    );
  });
}
