/** Stable machine-readable codes for every way the reference-PDS tooling can fail. */
export type RefPdsErrorCode =
  /** The Node 22 sub-package (peer/node_modules) is not installed: run `bash tooling/refpds/ci-setup.sh`. */
  | 'NOT_INSTALLED'
  /** Options out of range (account spec, timeout, port). */
  | 'INVALID_OPTIONS'
  /** The peer process exited or reported an error before it was ready. */
  | 'START_FAILED'
  /** The peer process did not print its ready line in time. */
  | 'START_TIMEOUT'
  /** `com.atproto.server.createAccount` was refused. */
  | 'ACCOUNT_FAILED'
  /** The provider refused a sign-in, consent or reject step (wrong password, expired request, …). */
  | 'LOGIN_FAILED'
  /** The provider's sign-in UI/API answered in a shape this helper does not know: it changed upstream. */
  | 'PROVIDER_CHANGED'
  /** No Chromium at the configured path: `apt-get install -y chromium`. */
  | 'CHROMIUM_MISSING'
  /** The callback server waited longer than allowed for the redirect back. */
  | 'CALLBACK_TIMEOUT';

/** The one error class `@relay/refpds` throws. Switch on `code`; `message` says what to fix. */
export class RefPdsError extends Error {
  override readonly name = 'RefPdsError';
  readonly code: RefPdsErrorCode;
  /** Structured detail (HTTP status, body excerpt, peer stderr tail); never passwords or tokens. */
  readonly details?: unknown;

  constructor(code: RefPdsErrorCode, message: string, options?: { cause?: unknown; details?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    if (options?.details !== undefined) this.details = options.details;
  }
}
