import { OAuthError } from '../errors.js';
import { ScopeSet } from './scope-set.js';
import { parseScopeSyntax } from './scope-syntax.js';

const KNOWN = ['atproto', 'transition', 'repo', 'rpc', 'blob', 'account', 'identity', 'include'];

/**
 * The client's check before PAR: the requested scope is well-formed, contains `atproto`, and every
 * token is declared in the client metadata `scope` (equivalent spellings count). Returns the parsed
 * request. Throws `OAuthError`:
 * - `SCOPE_SYNTAX_INVALID` — a token outside printable ASCII, or with space, `"` or `\` (SCOPE-03);
 * - `SCOPE_INVALID` — a token of a known resource that means nothing (e.g. `repo:com.example.*`);
 * - `SCOPE_ATPROTO_MISSING` — no `atproto` (SCOPE-01);
 * - `SCOPE_NOT_DECLARED` — tokens missing from the metadata scope (CLIENT-PAR-04).
 * Tokens of resources this package does not know are passed through when declared, so a newer
 * scope type the server understands is not blocked here.
 */
export function assertRequestedScope(requested: string, declared: string): ScopeSet {
  if (typeof requested !== 'string' || requested.trim() === '') {
    throw new OAuthError('SCOPE_ATPROTO_MISSING', 'the requested scope is empty; it must contain "atproto" (SCOPE-01)');
  }
  // SCOPE-03: the list is separated by single spaces; tabs and newlines are not separators.
  const set = ScopeSet.parse(requested);
  for (const u of set.unrecognised) {
    if (u.code === 'SCOPE_SYNTAX_INVALID')
      throw new OAuthError(u.code, `scope token ${JSON.stringify(u.token)}: ${u.reason}`);
    const syntax = parseScopeSyntax(u.token);
    if (syntax.ok && KNOWN.includes(syntax.syntax.resource)) {
      throw new OAuthError('SCOPE_INVALID', `scope token "${u.token}" grants nothing: ${u.reason}`);
    }
  }
  // SCOPE-01: every atproto session includes `atproto`.
  if (!set.has('atproto')) {
    throw new OAuthError(
      'SCOPE_ATPROTO_MISSING',
      `the requested scope "${requested}" must contain "atproto" (SCOPE-01)`,
    );
  }
  // CLIENT-PAR-04: only scopes the client metadata declares may be requested.
  const { missing } = ScopeSet.diff(set, ScopeSet.parse(typeof declared === 'string' ? declared : ''));
  if (missing.length > 0) {
    throw new OAuthError(
      'SCOPE_NOT_DECLARED',
      `requested ${missing.join(', ')} not declared in the client metadata scope; add ${missing.length > 1 ? 'them' : 'it'} to "scope" in the client metadata (CLIENT-PAR-04)`,
      { details: { missing } },
    );
  }
  return set;
}
