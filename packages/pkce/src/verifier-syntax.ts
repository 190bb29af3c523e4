import { PkceError } from './errors.js';

/** RFC 7636 §4.1: 43..128 characters. */
export const VERIFIER_MIN_LENGTH = 43;
/** RFC 7636 §4.1: a verifier is at most 128 characters (PKCE-01). */
export const VERIFIER_MAX_LENGTH = 128;
const UNRESERVED = /^[A-Za-z0-9\-._~]*$/;

/**
 * Throws a {@link PkceError} unless `verifier` is a syntactically valid RFC 7636 code verifier
 * (PKCE-01): 43 to 128 characters from the unreserved alphabet `[A-Za-z0-9-._~]`.
 */
export function assertVerifierSyntax(verifier: string): void {
  if (typeof verifier !== 'string') {
    throw new PkceError('PKCE_VERIFIER_INVALID_CHARS', 'The PKCE verifier must be a string.');
  }
  if (verifier.length < VERIFIER_MIN_LENGTH) {
    throw new PkceError(
      'PKCE_VERIFIER_TOO_SHORT',
      `The PKCE verifier is ${verifier.length} characters; RFC 7636 requires at least ${VERIFIER_MIN_LENGTH}.`,
    );
  }
  if (verifier.length > VERIFIER_MAX_LENGTH) {
    throw new PkceError(
      'PKCE_VERIFIER_TOO_LONG',
      `The PKCE verifier is ${verifier.length} characters; RFC 7636 allows at most ${VERIFIER_MAX_LENGTH}.`,
    );
  }
  if (!UNRESERVED.test(verifier)) {
    throw new PkceError(
      'PKCE_VERIFIER_INVALID_CHARS',
      'The PKCE verifier contains a character outside the unreserved alphabet [A-Za-z0-9-._~].',
    );
  }
}
