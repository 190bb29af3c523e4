/** Stable machine-readable codes for every way a PKCE operation can fail. */
export type PkceErrorCode =
  | 'PKCE_METHOD_UNSUPPORTED'
  | 'PKCE_VERIFIER_TOO_SHORT'
  | 'PKCE_VERIFIER_TOO_LONG'
  | 'PKCE_VERIFIER_INVALID_CHARS'
  | 'PKCE_CHALLENGE_INVALID'
  | 'PKCE_CHALLENGE_MISMATCH'
  | 'PKCE_INVALID_OPTIONS';

/**
 * The one error class `@relay/pkce` throws. Switch on `code`; `message` is for people
 * and says what to fix.
 */
export class PkceError extends Error {
  override readonly name = 'PkceError';
  readonly code: PkceErrorCode;

  constructor(code: PkceErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}
