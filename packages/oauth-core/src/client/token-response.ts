import { isValidDid } from '@relay/identity';
import { OAuthError } from '../errors.js';

/** The fields of a token response the client relies on, after validation. */
export interface ValidatedTokenResponse {
  accessToken: string;
  refreshToken?: string;
  expiresIn?: number;
  scope: string;
  sub: string;
}

function invalid(message: string): OAuthError {
  return new OAuthError('TOKEN_RESPONSE_INVALID', `Token response rejected: ${message}`);
}

/**
 * ATProto's checks on a token response (code exchange or refresh), after oauth4webapi's generic
 * parsing. `token_type` arrives lower-cased from oauth4webapi (RFC 6749 §5.1: case-insensitive).
 */
export function validateTokenResponse(json: Record<string, unknown>): ValidatedTokenResponse {
  // TOKEN-RESP-01: only DPoP-bound tokens.
  if (typeof json.token_type !== 'string' || json.token_type.toLowerCase() !== 'dpop') {
    throw invalid(`token_type is ${JSON.stringify(json.token_type)}, not DPoP (TOKEN-RESP-01).`);
  }
  // TOKEN-RESP-02: opaque strings, never parsed.
  if (typeof json.access_token !== 'string' || json.access_token === '') throw invalid('access_token is missing.');
  if (json.refresh_token !== undefined && typeof json.refresh_token !== 'string') {
    throw invalid('refresh_token is not a string.');
  }
  // TOKEN-SCOPE-01: scope present and containing atproto.
  if (typeof json.scope !== 'string' || !json.scope.split(' ').includes('atproto')) {
    throw invalid(`scope ${JSON.stringify(json.scope)} does not contain "atproto" (TOKEN-SCOPE-01).`);
  }
  // TOKEN-SUB-01: sub is a DID of a supported method.
  const sub = json.sub;
  if (typeof sub !== 'string' || !isValidDid(sub) || !/^did:(plc|web):/.test(sub)) {
    throw invalid(`sub ${JSON.stringify(sub)} is not a did:plc or did:web DID (TOKEN-SUB-01).`);
  }
  const expiresIn = json.expires_in;
  if (expiresIn !== undefined && (typeof expiresIn !== 'number' || !Number.isFinite(expiresIn) || expiresIn <= 0)) {
    throw invalid('expires_in must be a positive number.');
  }
  return {
    accessToken: json.access_token,
    ...(typeof json.refresh_token === 'string' ? { refreshToken: json.refresh_token } : {}),
    ...(typeof expiresIn === 'number' ? { expiresIn } : {}),
    scope: json.scope,
    sub,
  };
}
