/**
 * Stable machine-readable codes for everything `@relay/oauth-core` can refuse. Switch on
 * `code`; `message` is for people and says what to fix. New codes are added, never renamed.
 */
export type OAuthErrorCode =
  // metadata documents (AS-META-*, META-RS-*, META-CLIENT-*, REDIRECT-*, LOOPBACK-*)
  | 'METADATA_INVALID'
  | 'CLIENT_METADATA_INVALID'
  | 'KEYSET_INVALID'
  // discovery and identity (META-RS-*, AS-META-*, ID-*)
  | 'IDENTITY_RESOLUTION_FAILED'
  | 'NETWORK_ERROR'
  | 'INVALID_INPUT'
  | 'INVALID_OPTIONS'
  // authorization (CLIENT-PAR-*, CLIENT-STATE-*, ISS-*, CALLBACK-*)
  | 'AUTHORIZATION_SERVER_ERROR'
  | 'STATE_UNKNOWN'
  | 'ACCESS_DENIED'
  | 'AUTHORIZATION_ERROR'
  | 'ISSUER_MISSING'
  | 'ISSUER_MISMATCH'
  | 'CODE_MISSING'
  // tokens (TOKEN-*)
  | 'TOKEN_RESPONSE_INVALID'
  | 'SUB_MISMATCH'
  // sessions (part 2 adds refresh causes)
  | 'SESSION_NOT_FOUND'
  | 'SESSION_EXPIRED'
  | 'KEY_RETIRED'
  | 'REVOCATION_FAILED'
  | 'URL_NOT_ALLOWED'
  // stores and locks
  | 'LOCK_TIMEOUT'
  | 'STORE_ERROR'
  | 'STORE_UNAVAILABLE'
  | 'STORE_FENCED'
  /** A sealed (encrypted-at-rest) record could not be opened: wrong or unknown key, or tampered data. */
  | 'STORE_DECRYPT_FAILED'
  // scopes (PERM-*, SCOPE-*)
  | 'SCOPE_SYNTAX_INVALID'
  | 'SCOPE_INVALID'
  | 'SCOPE_NOT_GRANTED'
  | 'SCOPE_ATPROTO_MISSING'
  | 'SCOPE_NOT_DECLARED';

/** The one error class `@relay/oauth-core` throws. */
export class OAuthError extends Error {
  override readonly name = 'OAuthError';
  readonly code: OAuthErrorCode;
  /** Structured detail for programs (e.g. the list of violated requirement IDs); never secrets. */
  readonly details?: unknown;

  constructor(code: OAuthErrorCode, message: string, options?: { cause?: unknown; details?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    if (options?.details !== undefined) this.details = options.details;
  }
}
