import type { MockResponse } from './http-server.js';

/** What the scripted user does on the consent page. */
export interface ConsentDecision {
  approve: boolean;
  /** Sign in as this DID instead of the login_hint's account (TOKEN-AS-01 misbehaviour). */
  asDid?: string;
  /** Grant only these scope tokens (the user deselected some). */
  grantScope?: string;
}

export interface ConsentContext {
  clientId: string;
  scope: string;
  loginHint?: string;
  /** The account the login_hint resolved to, if any. */
  hintedDid?: string;
}

/**
 * Every misbehaviour of the mock network is a switch here. Defaults are strict and correct.
 * Scenarios set a switch, run, and the network resets with `testnet.resetFaults()`.
 */
export interface Faults {
  consent: ConsentDecision | ((ctx: ConsentContext) => ConsentDecision);
  /** `iss` on the authorization response: correct, another issuer, or absent (ISS-01/02). */
  issParam: 'correct' | 'wrong' | 'missing';
  /** Return this DID as `sub` from the code exchange (TOKEN-SUB-02/03). */
  tokenSub?: string;
  /** Return this DID as `sub` from refreshes (REFRESH-04). */
  refreshSub?: string;
  /** Token response overrides, merged into the JSON (token_type, scope, …). */
  tokenResponse?: Record<string, unknown>;
  /** Mutates the AS metadata document before it is served. */
  asMetadata?: (m: Record<string, unknown>) => void;
  /** Mutates the protected-resource metadata document before it is served. */
  prmMetadata?: (m: Record<string, unknown>) => void;
  /** Endpoints answering an HTML page instead of JSON. */
  htmlInsteadOfJson: Set<'as-metadata' | 'prm' | 'par' | 'token'>;
  /** Rotate the AS and PDS nonces after this many responses (0 = never). */
  nonceRotateEvery: number;
  /** Server-side PKCE misbehaviour (for the server profile): skip the check, or accept plain. */
  skipPkce: boolean;
  acceptPlainPkce: boolean;
  /** Accept the same authorization code twice (PKCE-06 misbehaviour). */
  allowCodeReuse: boolean;
  /** Access-token lifetime in seconds. */
  accessTokenTtl: number;
  /** Answer the PDS XRPC `path` with this response instead (oversized, slow, HTML, 500…). */
  pdsOverride?: (path: string) => MockResponse | undefined;
  /** Make the revocation endpoint fail with 500. */
  revocationDown: boolean;
  /**
   * Answer any AS or PDS request with this response instead (statuses, redirects, oversized or
   * slow bodies, HTML) before normal routing; return undefined to route normally.
   */
  override?: (server: 'as' | 'pds', req: { method: string; path: string }) => MockResponse | undefined;
  /** Refuse every DPoP nonce at these servers (NONCE-05: a client must not loop). */
  nonceRejectAll: Set<'as' | 'pds'>;
  /** Accept only the newest nonce, not the previous one (NONCE-03 strictness). */
  strictNonce: boolean;
  /** Leave the DPoP-Nonce header off successful responses of these servers (NONCE-07). */
  omitNonceOnSuccess: Set<'as' | 'pds'>;
}

export function defaultFaults(): Faults {
  return {
    consent: { approve: true },
    issParam: 'correct',
    htmlInsteadOfJson: new Set(),
    nonceRotateEvery: 0,
    skipPkce: false,
    acceptPlainPkce: false,
    allowCodeReuse: false,
    accessTokenTtl: 300,
    revocationDown: false,
    nonceRejectAll: new Set(),
    strictNonce: false,
    omitNonceOnSuccess: new Set(),
  };
}
