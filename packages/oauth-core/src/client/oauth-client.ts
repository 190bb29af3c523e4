import {
  createDpopFetch,
  createMemoryNonceStore,
  type DpopKey,
  exportDpopCryptoKey,
  exportDpopKey,
  type FetchLike,
  generateDpopKey,
  importDpopKey,
  type NonceStore,
} from '@relay/dpop';
import { createSafeFetch, type IdentityResolver, isValidDid, normalizeHandle } from '@relay/identity';
import { generatePkce } from '@relay/pkce';
import * as oauth from 'oauth4webapi';
import { type ClientKind, validateClientMetadata } from '../client-metadata/check-client-metadata.js';
import type { ClientMetadata } from '../client-metadata/client-metadata-schema.js';
import { MetadataResolver } from '../discovery/metadata-resolver.js';
import { OAuthError } from '../errors.js';
import type { Keyset } from '../keyset.js';
import { type Logger, silentLogger } from '../logger.js';
import type { AuthorizationServerMetadata } from '../metadata/authorization-server-metadata.js';
import { assertRequestedScope } from '../scopes/assert-requested-scope.js';
import type { Clock, Lock, LockLease, SessionStore, StateStore } from '../stores/contracts.js';
import { MemoryLock } from '../stores/memory-lock.js';
import { MemorySessionStore } from '../stores/memory-session-store.js';
import { MemoryStateStore } from '../stores/memory-state-store.js';
import { randomToken } from '../util/random.js';
import { isLoopbackHost } from '../util/url-checks.js';
import { wrapError } from '../util/wrap-error.js';
import { OAuthSession } from './oauth-session.js';
import type { ClientAuthMethod, PendingAuthorization, StoredSession } from './records.js';
import { validateTokenResponse } from './token-response.js';

/**
 * Everything an {@link OAuthClient} needs: its metadata, the identity resolver, and optionally keys,
 * stores, a lock, a fetch, hooks and a logger. The in-memory defaults suit one process.
 *
 * @example
 * ```ts
 * const client = new OAuthClient({
 *   metadata: buildClientMetadata({ clientId, redirectUris: [`${origin}/callback`], scope: 'atproto transition:generic' }),
 *   identity: createNodeIdentityResolver(),
 *   stores, // { state, session, nonces } from @relay/store-sqlite or @relay/store-redis
 *   lock: stores.createLock(),
 * });
 * ```
 */
export interface OAuthClientOptions {
  /** The client's metadata document (validated at construction). */
  metadata: ClientMetadata;
  /** Confidential clients: the signing keys whose public halves the metadata publishes. */
  keyset?: Keyset;
  /** Handle/DID resolution (on Node: `createNodeIdentityResolver` from `@relay/identity/node`). */
  identity: IdentityResolver;
  /**
   * The SSRF-safe fetch for every request to PDSs and authorization servers. Default
   * `createSafeFetch()`; on Node pass `createNodeSafeFetch()` for the connect-time address check.
   */
  fetch?: FetchLike;
  stores?: {
    state?: StateStore<PendingAuthorization>;
    session?: SessionStore<StoredSession>;
    /** DPoP nonces by origin, shared by every session of this client (NONCE-04). */
    nonces?: NonceStore;
  };
  /** Cross-process lock for refreshes. Default: an in-process lock owned by this client. */
  lock?: Lock;
  /** Development: PDSs and authorization servers on http loopback origins are acceptable. */
  dev?: boolean;
  /**
   * How sessions keep their DPoP keys. `'jwk'` (default): an extractable key stored as a private
   * JWK (any JSON store). `'crypto-key'`: a non-extractable WebCrypto key stored as a
   * `DpopCryptoKeyPair` record, for stores that keep structured clones (IndexedDB, as
   * `@relay/oauth-core/browser` does); JSON stores cannot hold it.
   */
  dpopKeyStorage?: 'jwk' | 'crypto-key';
  logger?: Logger;
  clock?: Clock;
  /** How long a pending authorization waits for its callback. Default 10 minutes. */
  stateTtlMs?: number;
  /** Called after a session's tokens were refreshed and saved. */
  onSessionUpdated?: (session: StoredSession) => void;
  /** Called once each time a stored session is deleted, with why. */
  onSessionDeleted?: (did: string, sessionId: string, cause: SessionDeletedCause) => void;
}

/** Why a session was deleted (`onSessionDeleted`). */
export type SessionDeletedCause =
  | { type: 'revoked' }
  | { type: 'refresh-failed'; error: OAuthError }
  | { type: 'sub-mismatch'; sub: string; error: OAuthError }
  | { type: 'key-retired'; kid: string }
  | { type: 'store-error'; error: OAuthError };

/**
 * Per-login options for {@link OAuthClient.authorize}.
 *
 * @example
 * ```ts
 * const url = await client.authorize('alice.bsky.social', { scope: 'atproto repo:app.relay.track', state: '/tracks/new' });
 * ```
 */
export interface AuthorizeOptions {
  /** Space-separated scope; default: the metadata's whole `scope`. Must include `atproto`. */
  scope?: string;
  /** Application state handed back by `callback` (stored server-side, never sent). */
  state?: string;
  /** One of the metadata's redirect URIs; default the first. */
  redirectUri?: string;
  /** `login`, `consent`, `select_account` or `none`, passed to the authorization server. */
  prompt?: string;
}

/**
 * What {@link OAuthClient.callback} returns: the new session and the application `state` given to
 * `authorize`.
 *
 * @example
 * ```ts
 * const { session, state } = await client.callback(new URL(request.url).searchParams);
 * ```
 */
export interface CallbackResult {
  /** The signed-in session, already stored. */
  session: OAuthSession;
  /** The `state` given to `authorize`, if any. */
  state?: string;
}

type InputKind = { kind: 'did'; did: string } | { kind: 'handle'; handle: string } | { kind: 'server'; url: string };

/**
 * The ATProto OAuth client: `authorize` (PAR + PKCE + DPoP), `callback` (state, iss, code
 * exchange, `sub` verification) and sessions. Every piece of state hangs off this instance.
 */
export class OAuthClient {
  readonly metadata: ClientMetadata;
  readonly kind: ClientKind;
  readonly keyset: Keyset | undefined;
  readonly identity: IdentityResolver;
  readonly fetch: FetchLike;
  readonly stateStore: StateStore<PendingAuthorization>;
  readonly sessionStore: SessionStore<StoredSession>;
  readonly nonces: NonceStore;
  readonly lock: Lock;
  readonly dev: boolean;
  readonly dpopKeyStorage: 'jwk' | 'crypto-key';
  readonly logger: Logger;
  readonly clock: Clock;
  readonly metadataResolver: MetadataResolver;
  readonly #stateTtlMs: number;
  readonly #refreshing = new Map<string, Promise<StoredSession>>();
  readonly #hooks: Pick<OAuthClientOptions, 'onSessionUpdated' | 'onSessionDeleted'>;

  constructor(options: OAuthClientOptions) {
    const { metadata, kind } = validateClientMetadata(options.metadata);
    this.metadata = metadata;
    this.kind = kind;
    if (kind === 'confidential' && !options.keyset) {
      throw new OAuthError('INVALID_OPTIONS', 'A confidential client (private_key_jwt) needs its keyset.');
    }
    if (kind !== 'confidential' && options.keyset) {
      throw new OAuthError('INVALID_OPTIONS', 'A keyset was given, but the metadata describes a public client.');
    }
    this.keyset = options.keyset;
    this.identity = options.identity;
    this.fetch = options.fetch ?? createSafeFetch();
    this.stateStore = options.stores?.state ?? new MemoryStateStore();
    this.sessionStore = options.stores?.session ?? new MemorySessionStore();
    this.nonces = options.stores?.nonces ?? createMemoryNonceStore();
    this.lock = options.lock ?? new MemoryLock();
    this.dev = options.dev ?? false;
    this.dpopKeyStorage = options.dpopKeyStorage === 'crypto-key' ? 'crypto-key' : 'jwk';
    this.logger = options.logger ?? silentLogger;
    this.clock = options.clock ?? Date.now;
    this.#stateTtlMs = options.stateTtlMs ?? 10 * 60_000;
    this.#hooks = { onSessionUpdated: options.onSessionUpdated, onSessionDeleted: options.onSessionDeleted };
    this.metadataResolver = new MetadataResolver({ fetch: this.fetch, dev: this.dev, now: this.clock });
  }

  /** The public JWKS to serve at `jwks_uri` (confidential clients). */
  get jwks(): { keys: unknown[] } {
    return this.keyset?.publicJwks ?? { keys: [] };
  }

  #classify(input: string): InputKind {
    const value = typeof input === 'string' ? input.trim() : '';
    if (value === '')
      throw new OAuthError('INVALID_INPUT', 'Enter a handle (alice.example.com), a DID or a server URL.');
    if (/^https?:\/\//i.test(value)) return { kind: 'server', url: value };
    if (value.startsWith('did:')) {
      if (!isValidDid(value)) throw new OAuthError('INVALID_INPUT', `"${value}" is not a valid DID.`);
      return { kind: 'did', did: value };
    }
    return { kind: 'handle', handle: normalizeHandle(value) };
  }

  /** oauth4webapi's view of this client. */
  get #oauthClient(): oauth.Client {
    return { client_id: this.metadata.client_id, token_endpoint_auth_method: this.metadata.token_endpoint_auth_method };
  }

  /** oauth4webapi options: our DPoP fetch over the safe fetch, and http only in dev. */
  #requestOptions(dpopFetch: FetchLike): { [oauth.customFetch]: FetchLike; [oauth.allowInsecureRequests]?: boolean } {
    return { [oauth.customFetch]: dpopFetch, ...(this.dev ? { [oauth.allowInsecureRequests]: true } : {}) };
  }

  /** CONF-01..06: the client authentication of a method (a retired key fails by name). */
  clientAuth(method: ClientAuthMethod): oauth.ClientAuth {
    if (method.method === 'none') return oauth.None();
    const key = this.keyset?.get(method.kid);
    if (!key) {
      throw new OAuthError(
        'KEY_RETIRED',
        `The client key "${method.kid}" this session was authorized with is no longer in the keyset; sign in again.`,
      );
    }
    return oauth.PrivateKeyJwt({ key: key.privateKey, kid: key.kid });
  }

  /** A DPoP fetch (over the safe fetch) for one session key. */
  dpopFetch(key: DpopKey, accessToken?: () => string | undefined): FetchLike {
    return createDpopFetch({
      key,
      nonces: this.nonces,
      fetch: this.fetch,
      ...(accessToken ? { accessToken } : {}),
      logger: this.logger,
    });
  }

  #redirectUri(requested: string | undefined): string {
    const registered = this.metadata.redirect_uris;
    if (requested === undefined) return registered[0] as string;
    if (registered.includes(requested)) return requested;
    // LOOPBACK-05: loopback redirects match ignoring the port.
    const url = URL.canParse(requested) ? new URL(requested) : undefined;
    if (url && url.protocol === 'http:' && isLoopbackHost(url.hostname)) {
      const match = registered.some((r) => {
        const reg = new URL(r);
        return reg.hostname === url.hostname && reg.pathname === url.pathname;
      });
      if (match) return requested;
    }
    throw new OAuthError('INVALID_OPTIONS', `redirectUri ${requested} is not one of the client's redirect_uris.`);
  }

  /**
   * Starts a login from a handle, a DID or a PDS/entryway URL and returns the URL to send the
   * user's browser to. Resolves the account, discovers its authorization server, pushes the
   * request (PAR) with PKCE and a new DPoP key, and stores the pending record under `state`.
   */
  async authorize(input: string, options: AuthorizeOptions = {}): Promise<URL> {
    const target = this.#classify(input);
    // CLIENT-PAR-04 / SCOPE-01: refused before any network call.
    const scope = options.scope ?? this.metadata.scope;
    assertRequestedScope(scope, this.metadata.scope);
    const redirectUri = this.#redirectUri(options.redirectUri);

    let issuer: string;
    let as: AuthorizationServerMetadata;
    let expectedDid: string | undefined;
    let loginHint: string | undefined;
    try {
      if (target.kind === 'server') {
        // META-RS-08: server-started flow, no login_hint; the issuer is bound to the request.
        ({ issuer, metadata: as } = await this.metadataResolver.resolveFromServerUrl(target.url));
      } else {
        // META-RS-07: resolve the account ourselves; its PDS names the authorization server.
        const identity = await this.identity.resolveIdentity(target.kind === 'did' ? target.did : target.handle);
        expectedDid = identity.did;
        // CLIENT-PAR-08: the identifier as the user gave it (normalised).
        loginHint = target.kind === 'did' ? target.did : target.handle;
        ({ issuer, metadata: as } = await this.metadataResolver.resolveFromPds(identity.pds));
      }
    } catch (err) {
      throw wrapError(err, 'METADATA_INVALID', `Could not start a login for "${input}"`);
    }

    const authMethod: ClientAuthMethod =
      this.kind === 'confidential'
        ? { method: 'private_key_jwt', kid: (this.keyset as Keyset).newest.kid }
        : { method: 'none' };
    // DPOP-02: a new DPoP key for this authorization, kept for the session's whole life.
    const lockedKey = this.dpopKeyStorage === 'crypto-key';
    const key = await generateDpopKey(lockedKey ? { extractable: false } : {});
    const pkce = await generatePkce();
    // CLIENT-STATE-01: 256 bits of randomness, opaque (CLIENT-PAR-09: nothing encoded in it).
    const state = randomToken(32);
    const params = new URLSearchParams({
      response_type: 'code',
      redirect_uri: redirectUri,
      scope,
      state,
      code_challenge: pkce.challenge,
      code_challenge_method: pkce.method,
    });
    if (loginHint) params.set('login_hint', loginHint);
    if (options.prompt) params.set('prompt', options.prompt);

    let requestUri: string;
    try {
      // CLIENT-PAR-02/05: the pushed request carries a DPoP proof made with the new key.
      const response = await oauth.pushedAuthorizationRequest(
        as as oauth.AuthorizationServer,
        this.#oauthClient,
        this.clientAuth(authMethod),
        params,
        this.#requestOptions(this.dpopFetch(key)),
      );
      const par = await oauth.processPushedAuthorizationResponse(
        as as oauth.AuthorizationServer,
        this.#oauthClient,
        response,
      );
      requestUri = par.request_uri;
    } catch (err) {
      throw wrapError(err, 'AUTHORIZATION_SERVER_ERROR', 'The pushed authorization request failed');
    }

    const pending: PendingAuthorization = {
      issuer,
      dpopKey: lockedKey ? await exportDpopCryptoKey(key) : await exportDpopKey(key),
      verifier: pkce.verifier,
      redirectUri,
      scope,
      authMethod,
      ...(expectedDid ? { expectedDid } : {}),
      ...(options.state !== undefined ? { appState: options.state } : {}),
    };
    await this.stateStore.set(state, pending, this.#stateTtlMs);
    this.logger.debug?.('authorization pushed', { issuer, expectedDid });
    // CLIENT-PAR-07: only client_id and request_uri travel through the browser.
    const url = new URL(as.authorization_endpoint);
    url.search = '';
    url.searchParams.set('client_id', this.metadata.client_id);
    url.searchParams.set('request_uri', requestUri);
    return url;
  }

  /**
   * Completes a login from the query of the redirect back to the app. Checks `state` (single
   * use), `iss`, errors, exchanges the code, validates the token response, verifies `sub`
   * against a fresh resolution, and stores the session. Nothing is stored when a check fails.
   */
  async callback(params: URLSearchParams): Promise<CallbackResult> {
    const state = params.get('state');
    // CLIENT-STATE-02: unknown, missing and replayed states are all refused; take is single-use.
    const pending = state ? await this.stateStore.take(state) : undefined;
    if (!pending) {
      throw new OAuthError('STATE_UNKNOWN', 'This sign-in link is unknown, expired or already used; start again.');
    }
    // ISS-01 / ISS-02: iss is required and must equal the issuer stored for this state.
    const iss = params.get('iss');
    if (iss === null) {
      throw new OAuthError('ISSUER_MISSING', 'The authorization response has no "iss"; it cannot be trusted (ISS-02).');
    }
    if (iss !== pending.issuer) {
      throw new OAuthError(
        'ISSUER_MISMATCH',
        `The authorization response comes from "${iss}", but the request went to "${pending.issuer}" (ISS-01).`,
      );
    }
    // CALLBACK-01: an error response ends here, the token endpoint is never called.
    const error = params.get('error');
    if (error !== null) {
      const description = params.get('error_description');
      throw new OAuthError(
        error === 'access_denied' ? 'ACCESS_DENIED' : 'AUTHORIZATION_ERROR',
        error === 'access_denied'
          ? 'The sign-in was declined.'
          : `The authorization server refused: ${error}${description ? ` (${description})` : ''}.`,
        { details: { error, error_description: description, appState: pending.appState } },
      );
    }
    // CALLBACK-02: a success without a code is refused.
    if (!params.get('code')) throw new OAuthError('CODE_MISSING', 'The authorization response has no "code".');

    let as: AuthorizationServerMetadata;
    try {
      as = await this.metadataResolver.getAuthorizationServerMetadata(pending.issuer);
    } catch (err) {
      throw wrapError(err, 'METADATA_INVALID', 'Could not load the authorization server metadata');
    }
    const key = await importDpopKey(pending.dpopKey);
    const dpopFetch = this.dpopFetch(key);
    let tokens: ReturnType<typeof validateTokenResponse>;
    try {
      // oauth4webapi re-checks state and iss (RFC 9207) generically before the exchange.
      const validated = oauth.validateAuthResponse(
        as as oauth.AuthorizationServer,
        this.#oauthClient,
        params,
        state as string,
      );
      // TOKEN-REQ-01 / PKCE-04 / REDIRECT-07: code, the PAR redirect_uri, the verifier, DPoP.
      const response = await oauth.authorizationCodeGrantRequest(
        as as oauth.AuthorizationServer,
        this.#oauthClient,
        this.clientAuth(pending.authMethod),
        validated,
        pending.redirectUri,
        pending.verifier,
        this.#requestOptions(dpopFetch),
      );
      const json = await oauth.processAuthorizationCodeResponse(
        as as oauth.AuthorizationServer,
        this.#oauthClient,
        response,
      );
      tokens = validateTokenResponse(json as unknown as Record<string, unknown>);
    } catch (err) {
      throw wrapError(err, 'TOKEN_RESPONSE_INVALID', 'The code exchange failed');
    }

    try {
      await this.verifySub(tokens.sub, pending.issuer, pending.expectedDid);
    } catch (err) {
      // TOKEN-SUB-04: drop the tokens and, best-effort, revoke them.
      await this.#revokeQuietly(as, pending.authMethod, dpopFetch, tokens.refreshToken ?? tokens.accessToken);
      throw err;
    }

    const now = this.clock();
    const identity = await this.identity.resolveIdentity(tokens.sub);
    const stored: StoredSession = {
      did: tokens.sub,
      sessionId: randomToken(16),
      issuer: pending.issuer,
      pds: identity.pds,
      dpopKey: pending.dpopKey,
      authMethod: pending.authMethod,
      tokens: {
        accessToken: tokens.accessToken,
        ...(tokens.refreshToken ? { refreshToken: tokens.refreshToken } : {}),
        ...(tokens.expiresIn ? { expiresAt: now + tokens.expiresIn * 1000 } : {}),
        scope: tokens.scope,
      },
      requestedScope: pending.scope,
      createdAt: now,
      updatedAt: now,
    };
    await this.sessionStore.set(stored.did, stored.sessionId, stored);
    this.logger.info?.('session created', { did: stored.did, sessionId: stored.sessionId });
    return {
      session: new OAuthSession(this, stored, key),
      ...(pending.appState !== undefined ? { state: pending.appState } : {}),
    };
  }

  /**
   * TOKEN-SUB-02/03: `sub` must be the expected account (identity-started flows), and a fresh
   * resolution of `sub` must lead to this very issuer: DID document → PDS → its PRM's one AS.
   */
  async verifySub(sub: string, issuer: string, expectedDid?: string): Promise<void> {
    if (expectedDid !== undefined && sub !== expectedDid) {
      throw new OAuthError(
        'SUB_MISMATCH',
        `The authorization server signed in ${sub}, but the login was for ${expectedDid} (TOKEN-SUB-02).`,
      );
    }
    let authority: string;
    try {
      // TOKEN-SUB-04: fresh resolution, no cache.
      const identity = await this.identity.resolveIdentity(sub, { noCache: true });
      const prm = await this.metadataResolver.getProtectedResourceMetadata(identity.pds, { noCache: true });
      authority = prm.authorization_servers[0];
    } catch (err) {
      throw wrapError(err, 'SUB_MISMATCH', `Could not verify the account ${sub}`);
    }
    if (authority !== issuer) {
      throw new OAuthError(
        'ISSUER_MISMATCH',
        `${sub} is hosted by a PDS whose authorization server is ${authority}, not ${issuer} (TOKEN-SUB-03).`,
      );
    }
  }

  async #revokeQuietly(as: AuthorizationServerMetadata, method: ClientAuthMethod, dpopFetch: FetchLike, token: string) {
    if (!as.revocation_endpoint) return;
    try {
      const res = await oauth.revocationRequest(
        as as oauth.AuthorizationServer,
        this.#oauthClient,
        this.clientAuth(method),
        token,
        this.#requestOptions(dpopFetch),
      );
      await res.body?.cancel();
    } catch (err) {
      this.logger.warn?.('revocation failed', { error: (err as Error).message });
    }
  }

  /** Loads a stored session. Throws `SESSION_NOT_FOUND` when there is none. */
  async restore(did: string, sessionId: string): Promise<OAuthSession> {
    const stored = await this.sessionStore.get(did, sessionId);
    if (!stored) throw new OAuthError('SESSION_NOT_FOUND', `No session ${sessionId} for ${did}; sign in again.`);
    return new OAuthSession(this, stored, await importDpopKey(stored.dpopKey));
  }

  /** The session ids stored for an account (one per device/login). */
  listSessions(did: string): Promise<string[]> {
    return this.sessionStore.list(did);
  }

  /**
   * Refreshes a session's tokens: single-flight per session in this process, under the lock
   * across processes, re-reading the store after taking the lock (another process may have
   * refreshed already). `invalid_grant` deletes the session (REFRESH-05).
   */
  refresh(stored: StoredSession, usedAccessToken?: string): Promise<StoredSession> {
    const key = `${stored.did}\u0000${stored.sessionId}`;
    const running = this.#refreshing.get(key);
    if (running) return running;
    // No await between the check above and this set: one refresh per session per process.
    const promise = this.lock
      .withLock(`relay-refresh:${key}`, { leaseMs: 30_000, waitMs: 35_000 }, (lease) =>
        this.#refreshLocked(stored, usedAccessToken, lease),
      )
      .finally(() => this.#refreshing.delete(key));
    this.#refreshing.set(key, promise);
    return promise;
  }

  async #refreshLocked(
    stale: StoredSession,
    usedAccessToken: string | undefined,
    lease: LockLease,
  ): Promise<StoredSession> {
    const current = await this.sessionStore.get(stale.did, stale.sessionId);
    if (!current) throw new OAuthError('SESSION_NOT_FOUND', `Session ${stale.sessionId} of ${stale.did} was deleted.`);
    // REFRESH-05: someone else refreshed while we waited (this or another process); use theirs.
    const token = usedAccessToken ?? stale.tokens.accessToken;
    if (current.tokens.accessToken !== token) return current;
    // REFRESH-01: only clients that declare refresh_token may refresh.
    if (!current.tokens.refreshToken || !this.metadata.grant_types.includes('refresh_token')) {
      throw new OAuthError(
        'SESSION_EXPIRED',
        'The access token expired and this session cannot be refreshed; sign in again.',
      );
    }
    // CONF-04: refresh signs with the session's own client key; a retired key ends the session.
    if (current.authMethod.method === 'private_key_jwt' && !this.keyset?.get(current.authMethod.kid)) {
      const kid = current.authMethod.kid;
      await this.#deleteSession(current, { type: 'key-retired', kid });
      throw new OAuthError(
        'KEY_RETIRED',
        `This session was authorized with client key "${kid}", which has been retired; sign in again.`,
      );
    }
    const as = await this.metadataResolver.getAuthorizationServerMetadata(current.issuer);
    const key = await importDpopKey(current.dpopKey);
    let tokens: ReturnType<typeof validateTokenResponse>;
    try {
      // REFRESH-02: the session's own DPoP key and client key. The request is never aborted once
      // sent: an abandoned refresh would burn the single-use refresh token (REFRESH-03).
      const response = await oauth.refreshTokenGrantRequest(
        as as oauth.AuthorizationServer,
        this.#oauthClient,
        this.clientAuth(current.authMethod),
        current.tokens.refreshToken,
        this.#requestOptions(this.dpopFetch(key)),
      );
      const json = await oauth.processRefreshTokenResponse(
        as as oauth.AuthorizationServer,
        this.#oauthClient,
        response,
      );
      tokens = validateTokenResponse(json as unknown as Record<string, unknown>);
    } catch (err) {
      const wrapped = wrapError(err, 'TOKEN_RESPONSE_INVALID', 'The token refresh failed');
      const oauthError = (wrapped.details as { error?: string } | undefined)?.error;
      if (oauthError === 'invalid_grant' || oauthError === 'invalid_client') {
        // REFRESH-05: the grant is gone (revoked, replayed, expired); the session is over.
        const ended = new OAuthError(
          'SESSION_EXPIRED',
          `The authorization server ended this session (${oauthError}); sign in again.`,
          { cause: wrapped },
        );
        await this.#deleteSession(current, { type: 'refresh-failed', error: ended });
        throw ended;
      }
      throw wrapped;
    }
    // REFRESH-04 / REFRESH-07: same account, and its PDS still names this issuer.
    try {
      if (tokens.sub !== current.did) {
        throw new OAuthError('SUB_MISMATCH', `The refresh returned ${tokens.sub} for a session of ${current.did}.`);
      }
      await this.verifySub(tokens.sub, current.issuer);
    } catch (err) {
      const error = wrapError(err, 'SUB_MISMATCH', 'The refreshed session failed verification');
      await this.#deleteSession(current, { type: 'sub-mismatch', sub: tokens.sub, error });
      throw error;
    }
    const now = this.clock();
    const next: StoredSession = {
      ...current,
      tokens: {
        accessToken: tokens.accessToken,
        refreshToken: tokens.refreshToken ?? current.tokens.refreshToken,
        ...(tokens.expiresIn ? { expiresAt: now + tokens.expiresIn * 1000 } : {}),
        scope: tokens.scope,
      },
      updatedAt: now,
    };
    try {
      // REFRESH-03: the new refresh token replaces the old one in one write. The fence lets a
      // fencing store refuse it if our lease expired meanwhile (a newer holder already wrote).
      // One retry: the old refresh token is already spent, so this write is worth a second try.
      await this.sessionStore
        .set(next.did, next.sessionId, next, { fence: lease.fence })
        .catch(async (err: unknown) => {
          if ((err as { code?: string })?.code === 'STORE_FENCED') throw err;
          await new Promise((resolve) => setTimeout(resolve, 50));
          await this.sessionStore.set(next.did, next.sessionId, next, { fence: lease.fence });
        });
    } catch (err) {
      if ((err as { code?: string })?.code === 'STORE_FENCED') {
        const latest = await this.sessionStore.get(next.did, next.sessionId);
        if (latest) return latest;
      }
      // The old refresh token is spent and the new one could not be saved: the session is lost.
      const error = wrapError(err, 'STORE_ERROR', 'Saving the refreshed session failed');
      await this.#deleteSession(current, { type: 'store-error', error });
      throw error;
    }
    this.#emitUpdated(next);
    return next;
  }

  #emitUpdated(stored: StoredSession): void {
    try {
      this.#hooks.onSessionUpdated?.(stored);
    } catch (err) {
      this.logger.error?.('onSessionUpdated hook threw', { error: (err as Error).message });
    }
  }

  /** Deletes a stored session and tells the app why (the hook fires once per deletion). */
  async #deleteSession(stored: StoredSession, cause: SessionDeletedCause): Promise<void> {
    try {
      await this.sessionStore.delete(stored.did, stored.sessionId);
    } catch (err) {
      this.logger.error?.('deleting a session failed', { did: stored.did, error: (err as Error).message });
    }
    this.logger.info?.('session deleted', { did: stored.did, sessionId: stored.sessionId, cause: cause.type });
    try {
      this.#hooks.onSessionDeleted?.(stored.did, stored.sessionId, cause);
    } catch (err) {
      this.logger.error?.('onSessionDeleted hook threw', { error: (err as Error).message });
    }
  }

  /**
   * Signs a session out: revokes it at the authorization server (refresh token first, then the
   * access token; REVOKE-01), then always deletes it locally, even when the server call fails.
   * Without `sessionId`, every session of the account is signed out. Rejects with
   * `REVOCATION_FAILED` (after the local deletion) when the server could not be told.
   */
  async revoke(did: string, sessionId?: string): Promise<void> {
    const ids = sessionId === undefined ? await this.sessionStore.list(did) : [sessionId];
    const failures: string[] = [];
    for (const id of ids) {
      const stored = await this.sessionStore.get(did, id);
      if (!stored) continue;
      try {
        const as = await this.metadataResolver.getAuthorizationServerMetadata(stored.issuer);
        if (as.revocation_endpoint) {
          const dpopFetch = this.dpopFetch(await importDpopKey(stored.dpopKey));
          for (const token of [stored.tokens.refreshToken, stored.tokens.accessToken]) {
            if (!token) continue;
            const res = await oauth.revocationRequest(
              as as oauth.AuthorizationServer,
              this.#oauthClient,
              this.clientAuth(stored.authMethod),
              token,
              this.#requestOptions(dpopFetch),
            );
            await oauth.processRevocationResponse(res);
          }
        }
      } catch (err) {
        failures.push(wrapError(err, 'REVOCATION_FAILED', `Revoking session ${id}`).message);
      } finally {
        await this.#deleteSession(stored, { type: 'revoked' });
      }
    }
    if (failures.length > 0) {
      throw new OAuthError(
        'REVOCATION_FAILED',
        `Signed out locally, but the authorization server could not be told: ${failures.join('; ')}`,
      );
    }
  }
}
