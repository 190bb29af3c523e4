import type { DpopStoredKey } from '@relay/dpop';

/** How the client authenticates to the token endpoint; saved with each session (CONF-04). */
export type ClientAuthMethod = { method: 'none' } | { method: 'private_key_jwt'; kid: string };

/**
 * What `authorize` stores under the `state` until the callback (CLIENT-PAR-09). Never sent
 * anywhere: `state` itself is an opaque random string.
 */
export interface PendingAuthorization {
  issuer: string;
  /**
   * The new DPoP key of this authorization (DPOP-02): a private JWK, or with `dpopKeyStorage:
   * 'crypto-key'` a `DpopCryptoKeyPair` (non-extractable CryptoKey; structured clone, not JSON).
   */
  dpopKey: DpopStoredKey;
  verifier: string;
  redirectUri: string;
  scope: string;
  authMethod: ClientAuthMethod;
  /** Identity-started flows: the DID resolved before PAR (TOKEN-SUB-02). */
  expectedDid?: string;
  /** The application's own state, returned by `callback`. */
  appState?: string;
}

/** The token set of a session. Tokens are opaque strings (TOKEN-RESP-02). */
export interface SessionTokens {
  accessToken: string;
  refreshToken?: string;
  /** Epoch ms when the access token expires, from `expires_in` (TOKEN-RESP-03). */
  expiresAt?: number;
  /** The scope granted (TOKEN-SCOPE-02), space-separated. */
  scope: string;
}

/** One stored session: everything needed to make requests and refresh, keyed by DID + session id. */
export interface StoredSession {
  did: string;
  sessionId: string;
  issuer: string;
  /** The PDS origin the tokens are for. */
  pds: string;
  /** A private JWK, or a `DpopCryptoKeyPair` record (see `PendingAuthorization.dpopKey`). */
  dpopKey: DpopStoredKey;
  authMethod: ClientAuthMethod;
  tokens: SessionTokens;
  /** The scope the app asked for, to show requested-vs-granted differences. */
  requestedScope: string;
  createdAt: number;
  updatedAt: number;
}
