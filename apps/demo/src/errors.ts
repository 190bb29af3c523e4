/**
 * Stable machine-readable codes for everything the portal refuses. `message` is for people and
 * says what to do; pages show it as is.
 */
export type DemoErrorCode =
  /** An environment variable is missing or malformed (the message names it). */
  | 'CONFIG_INVALID'
  /** The lexicon file uses a part of the Lexicon language this validator does not implement. */
  | 'LEXICON_UNSUPPORTED'
  /** A record does not match its lexicon (`details` lists every problem). */
  | 'RECORD_INVALID'
  /** The upload form was incomplete or malformed. */
  | 'FORM_INVALID'
  /** The uploaded file is larger than the configured limit. */
  | 'UPLOAD_TOO_LARGE'
  /** The uploaded file is not audio in a format the portal recognises. */
  | 'UPLOAD_NOT_AUDIO'
  /** The form's CSRF token is missing or not this session's. */
  | 'CSRF_INVALID'
  /** The PDS could not be reached, timed out, or answered something unusable. */
  | 'PDS_UNREACHABLE'
  /** The PDS refused the request (`details.status`, `details.error`). */
  | 'PDS_REFUSED'
  /** A track that is not in the signed-in artist's repository. */
  | 'TRACK_NOT_FOUND'
  /** No local ATProto network could be started. */
  | 'NETWORK_FAILED'
  /** The session store (Redis) does not answer. */
  | 'STORE_UNAVAILABLE';

/** The one error class of the portal. */
export class DemoError extends Error {
  override readonly name = 'DemoError';
  readonly code: DemoErrorCode;
  readonly details?: unknown;

  constructor(code: DemoErrorCode, message: string, options?: { cause?: unknown; details?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    if (options?.details !== undefined) this.details = options.details;
  }
}
