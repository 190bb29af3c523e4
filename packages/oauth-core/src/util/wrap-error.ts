import { DpopError } from '@relay/dpop';
import { IdentityError } from '@relay/identity';
import { OAuthError, type OAuthErrorCode } from '../errors.js';

/**
 * Turns whatever a lower layer threw into an `OAuthError`, so callers switch on one `code`.
 * Identity failures keep their own code in `details.cause` (handle not found, mismatch, …);
 * fetch failures become `NETWORK_ERROR`; oauth4webapi's protocol errors become `fallback`.
 */
export function wrapError(err: unknown, fallback: OAuthErrorCode, what: string): OAuthError {
  if (err instanceof OAuthError) return err;
  if (err instanceof IdentityError) {
    const network = err.code.startsWith('FETCH_');
    return new OAuthError(network ? 'NETWORK_ERROR' : 'IDENTITY_RESOLUTION_FAILED', `${what}: ${err.message}`, {
      cause: err,
      details: { cause: err.code },
    });
  }
  if (err instanceof DpopError) {
    return new OAuthError(fallback, `${what}: ${err.message}`, { cause: err, details: { cause: err.code } });
  }
  const code = (err as { code?: unknown })?.code;
  const body = (err as { cause?: { error?: unknown; error_description?: unknown } })?.cause;
  // oauth4webapi ResponseBodyError: the server answered with an RFC 6749 error body.
  if (typeof body?.error === 'string') {
    return new OAuthError(
      'AUTHORIZATION_SERVER_ERROR',
      `${what}: the authorization server answered ${body.error}${typeof body.error_description === 'string' ? ` (${body.error_description})` : ''}`,
      { cause: err, details: { error: body.error, error_description: body.error_description } },
    );
  }
  return new OAuthError(fallback, `${what}: ${(err as Error)?.message ?? String(err)}`, {
    cause: err,
    ...(typeof code === 'string' ? { details: { cause: code } } : {}),
  });
}
