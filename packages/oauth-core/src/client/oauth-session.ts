import { type DpopKey, type FetchLike, parseWwwAuthenticate } from '@relay/dpop';
import { OAuthError } from '../errors.js';
import { ScopeSet } from '../scopes/scope-set.js';
import type { OAuthClient } from './oauth-client.js';
import type { StoredSession } from './records.js';

/**
 * TOKEN-RESP-03: refresh a little before the stated expiry: a tenth of the token's lifetime (at most
 * a minute), stretched by up to half again at random per session object, so many processes holding
 * the same session do not all reach for the lock at the same instant.
 */
function refreshMargin(stored: StoredSession, jitter: number): number {
  const expiresAt = stored.tokens.expiresAt;
  if (expiresAt === undefined) return 0;
  const lifetime = Math.max(0, expiresAt - stored.updatedAt);
  return Math.min(60_000, lifetime * 0.1) * (1 + 0.5 * jitter);
}

function isReplayable(body: unknown): boolean {
  return (
    body === undefined ||
    body === null ||
    typeof body === 'string' ||
    body instanceof URLSearchParams ||
    body instanceof ArrayBuffer ||
    ArrayBuffer.isView(body) ||
    (typeof Blob !== 'undefined' && body instanceof Blob)
  );
}

/**
 * A signed-in account on one device. `fetch` sends DPoP-bound requests to the account's PDS only,
 * refreshing the access token when it expires or the PDS says it is invalid.
 */
export class OAuthSession {
  readonly #client: OAuthClient;
  #stored: StoredSession;
  readonly #fetch: FetchLike;
  readonly #jitter = Math.random();
  /** Set by signOut: this object never sends the (revoked) token again. */
  #signedOut = false;

  constructor(client: OAuthClient, stored: StoredSession, key: DpopKey) {
    this.#client = client;
    this.#stored = stored;
    // DPOP-06: Authorization: DPoP <token> with ath, from the current tokens at every attempt.
    this.#fetch = client.dpopFetch(key, () => this.#stored.tokens.accessToken);
  }

  get did(): string {
    return this.#stored.did;
  }

  get sessionId(): string {
    return this.#stored.sessionId;
  }

  get issuer(): string {
    return this.#stored.issuer;
  }

  /** The PDS origin requests go to. */
  get serverUrl(): string {
    return this.#stored.pds;
  }

  /** The scope actually granted (TOKEN-SCOPE-02), parsed. */
  get scope(): ScopeSet {
    return ScopeSet.parse(this.#stored.tokens.scope);
  }

  /** What was asked for but not granted, and granted beyond the request. */
  get scopeDiff(): { missing: string[]; extra: string[] } {
    const d = ScopeSet.diff(this.#stored.requestedScope, this.#stored.tokens.scope);
    return { missing: [...d.missing], extra: [...d.extra] };
  }

  /** When the access token expires (epoch ms), if the server said. */
  get expiresAt(): number | undefined {
    return this.#stored.tokens.expiresAt;
  }

  #url(input: string | URL | Request): URL {
    const raw = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const url = new URL(raw, this.#stored.pds);
    // The access token is for this PDS only: never send it elsewhere.
    if (url.origin !== new URL(this.#stored.pds).origin) {
      throw new OAuthError('URL_NOT_ALLOWED', `session.fetch only talks to ${this.#stored.pds}, not ${url.origin}.`);
    }
    return url;
  }

  /**
   * A fetch for the account's PDS: `session.fetch('/xrpc/com.atproto.repo.listRecords?…')`.
   * Relative URLs resolve against the PDS. Usable as the fetch handler of `@atproto/api`'s Agent.
   */
  async fetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    if (this.#signedOut) throw new OAuthError('SESSION_NOT_FOUND', 'This session was signed out; sign in again.');
    const url = this.#url(input);
    const request = typeof input === 'object' && !(input instanceof URL) ? input : undefined;
    if (this.#isExpired()) await this.#refresh();
    const used = this.#stored.tokens.accessToken;
    const response = await this.#fetch(request ? new Request(url, request) : url, init);
    if (response.status !== 401) return response;
    // REFRESH-06: invalid_token → refresh once, then retry once (if the body can be sent again).
    const challenge = parseWwwAuthenticate(response.headers.get('www-authenticate') ?? '').find(
      (c) => c.scheme.toLowerCase() === 'dpop' || c.scheme.toLowerCase() === 'bearer',
    );
    if (challenge?.params.error !== 'invalid_token') return response;
    if (request || !isReplayable(init?.body)) return response;
    await response.body?.cancel().catch(() => undefined);
    await this.#refresh(used);
    return this.#fetch(url, init);
  }

  #isExpired(): boolean {
    const at = this.#stored.tokens.expiresAt;
    return at !== undefined && at - refreshMargin(this.#stored, this.#jitter) <= this.#client.clock();
  }

  async #refresh(usedAccessToken?: string): Promise<void> {
    this.#stored = await this.#client.refresh(this.#stored, usedAccessToken);
  }

  /**
   * Signs out: revokes the tokens at the authorization server, then deletes the session locally
   * whatever the server said. Rejects with `REVOCATION_FAILED` (after deleting) if the server
   * could not be reached.
   */
  signOut(): Promise<void> {
    this.#signedOut = true;
    return this.#client.revoke(this.#stored.did, this.#stored.sessionId);
  }

  /** Forces a token refresh now (normally automatic). */
  async refresh(): Promise<void> {
    await this.#refresh(this.#stored.tokens.accessToken);
  }

  /** Re-reads the stored session (another process may have refreshed it). */
  async reload(): Promise<void> {
    const stored = await this.#client.sessionStore.get(this.#stored.did, this.#stored.sessionId);
    if (!stored) throw new OAuthError('SESSION_NOT_FOUND', 'This session was deleted; sign in again.');
    this.#stored = stored;
  }
}
