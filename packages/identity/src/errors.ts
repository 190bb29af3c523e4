/** Stable machine-readable codes for every way identity resolution or a safe fetch can fail. */
export type IdentityErrorCode =
  // syntax and policy, decided before any network I/O
  | 'IDENTITY_HANDLE_INVALID'
  | 'IDENTITY_DID_INVALID'
  | 'IDENTITY_DID_METHOD_UNSUPPORTED'
  | 'IDENTITY_TLD_RESERVED'
  // resolution outcomes
  | 'IDENTITY_NOT_FOUND'
  | 'IDENTITY_HANDLE_MISMATCH'
  | 'IDENTITY_CONFLICT'
  | 'IDENTITY_DOCUMENT_INVALID'
  | 'IDENTITY_PDS_MISSING'
  | 'IDENTITY_DNS_FAILED'
  // the safe fetch
  | 'FETCH_INVALID_URL'
  | 'FETCH_PROTOCOL_REFUSED'
  | 'FETCH_UNSAFE_ADDRESS'
  | 'FETCH_REDIRECT_REFUSED'
  | 'FETCH_TOO_LARGE'
  | 'FETCH_TIMEOUT'
  | 'FETCH_ABORTED'
  | 'FETCH_NETWORK'
  | 'FETCH_BAD_RESPONSE'
  // programming errors
  | 'INVALID_OPTIONS';

/**
 * The one error class `@relay/identity` throws. Switch on `code`; `message` is for people and
 * says what to fix. `cause` carries the lower-level error when there is one.
 */
export class IdentityError extends Error {
  override readonly name = 'IdentityError';
  readonly code: IdentityErrorCode;

  constructor(code: IdentityErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** True when `err` is an `IdentityError`, optionally with one of the given codes. */
export function isIdentityError(err: unknown, ...codes: IdentityErrorCode[]): err is IdentityError {
  return err instanceof IdentityError && (codes.length === 0 || codes.includes(err.code));
}
