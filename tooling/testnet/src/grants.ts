import { randomBytes } from 'node:crypto';

/** One authorization grant: what a code exchange creates and refreshes extend. */
export interface Grant {
  id: string;
  clientId: string;
  sub: string;
  scope: string;
  /** The DPoP key thumbprint every token of this grant is bound to (DPOP-SRV-03). */
  jkt: string;
  /** Confidential clients: the assertion key id the grant is bound to (CONF-05). */
  kid?: string;
  refreshToken: string;
  /** Refresh tokens already rotated away; presenting one again is a replay (REFRESH-08). */
  spentRefreshTokens: Set<string>;
  accessTokens: Set<string>;
  revoked: boolean;
}

export interface AccessToken {
  grantId: string;
  sub: string;
  scope: string;
  jkt: string;
  expiresAt: number;
}

/** The token tables the authorization server writes and the PDS reads (in-process introspection). */
export class Grants {
  readonly byId = new Map<string, Grant>();
  readonly accessTokens = new Map<string, AccessToken>();
  readonly #byRefresh = new Map<string, Grant>();

  static token(prefix: string): string {
    return `${prefix}-${randomBytes(24).toString('base64url')}`;
  }

  create(input: Omit<Grant, 'id' | 'refreshToken' | 'spentRefreshTokens' | 'accessTokens' | 'revoked'>): Grant {
    const grant: Grant = {
      ...input,
      id: Grants.token('grant'),
      refreshToken: Grants.token('rt'),
      spentRefreshTokens: new Set(),
      accessTokens: new Set(),
      revoked: false,
    };
    this.byId.set(grant.id, grant);
    this.#byRefresh.set(grant.refreshToken, grant);
    return grant;
  }

  issueAccessToken(grant: Grant, ttlSeconds: number): string {
    const token = Grants.token('at');
    grant.accessTokens.add(token);
    this.accessTokens.set(token, {
      grantId: grant.id,
      sub: grant.sub,
      scope: grant.scope,
      jkt: grant.jkt,
      expiresAt: Date.now() + ttlSeconds * 1000,
    });
    return token;
  }

  /** The grant a refresh token belongs to, current or spent. */
  byRefreshToken(token: string): Grant | undefined {
    return this.#byRefresh.get(token);
  }

  rotateRefreshToken(grant: Grant): string {
    grant.spentRefreshTokens.add(grant.refreshToken);
    grant.refreshToken = Grants.token('rt');
    this.#byRefresh.set(grant.refreshToken, grant);
    return grant.refreshToken;
  }

  /** Kills the grant and every token it issued (revocation, replay detection). */
  revoke(grant: Grant): void {
    grant.revoked = true;
    for (const t of grant.accessTokens) this.accessTokens.delete(t);
  }

  /** Forces every live access token to be expired (tests of reactive refresh). */
  expireAccessTokens(sub?: string): void {
    for (const t of this.accessTokens.values()) if (!sub || t.sub === sub) t.expiresAt = 0;
  }
}
