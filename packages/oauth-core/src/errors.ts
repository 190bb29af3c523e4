/**
 * Stable machine-readable codes for everything `@relay/oauth-core` can refuse. Switch on
 * `code`; `message` is for people and says what to fix. New codes are added, never renamed.
 */
export type OAuthErrorCode =
  // scopes (PERM-*, SCOPE-*)
  | 'SCOPE_SYNTAX_INVALID'
  | 'SCOPE_INVALID'
  | 'SCOPE_NOT_GRANTED';

/** The one error class `@relay/oauth-core` throws. */
export class OAuthError extends Error {
  override readonly name = 'OAuthError';
  readonly code: OAuthErrorCode;

  constructor(code: OAuthErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
