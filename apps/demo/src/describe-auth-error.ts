/** A message for the person at the keyboard, and the HTTP status of the page that shows it. */
export interface HumanError {
  status: 400 | 403 | 404 | 413 | 415 | 500 | 502;
  text: string;
}

function codeOf(err: unknown): string {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' ? code : '';
}

function causeOf(err: unknown): string {
  const cause = (err as { details?: { cause?: unknown } })?.details?.cause;
  return typeof cause === 'string' ? cause : '';
}

/**
 * What went wrong when signing in (starting at `authorize`, or in the callback), in plain words.
 * Switches on the stable `code`s of `@relay/oauth-core` and `@relay/identity`, never on messages.
 */
export function describeAuthError(err: unknown, handle?: string): HumanError {
  const code = codeOf(err);
  const cause = causeOf(err);
  const who = handle ? `“${handle}”` : 'that handle';
  switch (code) {
    case 'INVALID_INPUT':
    case 'IDENTITY_HANDLE_INVALID':
      return {
        status: 400,
        text: `${handle ? `“${handle}” is not a handle. ` : ''}Enter your handle, like alice.bsky.social.`,
      };
    case 'IDENTITY_RESOLUTION_FAILED':
      if (cause === 'IDENTITY_NOT_FOUND' || cause === 'IDENTITY_HANDLE_INVALID' || cause === 'IDENTITY_TLD_RESERVED') {
        return {
          status: 404,
          text: `We couldn't find the handle ${who}. Check the spelling: it looks like alice.bsky.social.`,
        };
      }
      if (cause === 'IDENTITY_DNS_FAILED') {
        return {
          status: 502,
          text: `We couldn't look up ${who} right now (DNS did not answer). Try again in a moment.`,
        };
      }
      return {
        status: 400,
        text: `We found ${who}, but its identity does not check out (its DID document and handle disagree), so signing in is not safe.`,
      };
    case 'NETWORK_ERROR':
    case 'METADATA_INVALID':
      return {
        status: 502,
        text: `Your PDS could not be reached (or did not answer like an ATProto server). Try again in a moment; if it keeps happening, your PDS may be down.`,
      };
    case 'AUTHORIZATION_SERVER_ERROR':
      return { status: 502, text: `Your PDS's sign-in service refused to start the sign-in. Try again in a moment.` };
    case 'ACCESS_DENIED':
      return {
        status: 403,
        text: 'You declined access, so you are not signed in. To publish tracks, sign in again and choose “Authorize”.',
      };
    case 'STATE_UNKNOWN':
      return { status: 400, text: 'That sign-in link has expired or was already used. Please sign in again.' };
    case 'SESSION_NOT_FOUND':
    case 'SESSION_EXPIRED':
    case 'KEY_RETIRED':
      return { status: 400, text: 'Your session has ended. Please sign in again.' };
    case 'ISSUER_MISSING':
    case 'ISSUER_MISMATCH':
    case 'SUB_MISMATCH':
    case 'TOKEN_RESPONSE_INVALID':
    case 'CODE_MISSING':
    case 'AUTHORIZATION_ERROR':
      return {
        status: 400,
        text: 'The answer from the sign-in service did not check out, so you were not signed in. Please try again.',
      };
    default:
      return { status: 500, text: 'Signing in failed unexpectedly. Please try again.' };
  }
}
