import { OAuthError } from '../errors.js';
import { formatScope } from './format-scope.js';
import { parseScope } from './parse-scope.js';
import type { AccountAction, AccountAttr, IdentityAttr, RepoAction, TransitionScope } from './permission.js';

const list = <T extends string>(v: T | readonly T[]): readonly T[] => (typeof v === 'string' ? [v] : v);

/**
 * Builders that emit canonical scope strings and throw `OAuthError` (`SCOPE_INVALID`, or
 * `SCOPE_SYNTAX_INVALID` from `join`) with a message that says what to fix.
 */
export const scope = Object.freeze({
  /** `atproto` — required in every request (SCOPE-01). */
  atproto: 'atproto' as const,
  /** `transition:generic` | `transition:chat.bsky` | `transition:email`. */
  transition(name: TransitionScope): string {
    return formatScope({ resource: 'transition', name });
  },
  /** `repo:<collection>[?action=…]`; `action` defaults to create, update and delete. */
  repo(
    collection: string | readonly string[],
    options: { readonly action?: RepoAction | readonly RepoAction[] } = {},
  ): string {
    return formatScope({
      resource: 'repo',
      collection: list(collection),
      action: options.action === undefined ? ['create', 'update', 'delete'] : list(options.action),
    });
  },
  /** `rpc:<lxm>?aud=<did#service | *>`; `aud` is required and may not be `*` when `lxm` is `*`. */
  rpc(lxm: string | readonly string[], options: { readonly aud: string }): string {
    return formatScope({ resource: 'rpc', lxm: list(lxm), aud: options?.aud as string });
  },
  /** `blob:<mime>` with MIME types or globs such as `audio/*`. */
  blob(accept: string | readonly string[]): string {
    return formatScope({ resource: 'blob', accept: list(accept) });
  },
  /** `account:<email|repo>[?action=manage]`; `action` defaults to `read`. */
  account(attr: AccountAttr, options: { readonly action?: AccountAction } = {}): string {
    return formatScope({ resource: 'account', attr, action: options.action ?? 'read' });
  },
  /** `identity:<handle|*>`. */
  identity(attr: IdentityAttr): string {
    return formatScope({ resource: 'identity', attr });
  },
  /** `include:<permission-set NSID>[?aud=<did#service>]`. */
  include(nsid: string, options: { readonly aud?: string } = {}): string {
    return formatScope(
      options.aud === undefined ? { resource: 'include', nsid } : { resource: 'include', nsid, aud: options.aud },
    );
  },
  /**
   * Joins tokens (or space-separated strings) into one scope string, canonical and de-duplicated.
   * Every token must be recognised: a typo is an error here rather than a silently ungranted scope.
   */
  join(...scopes: ReadonlyArray<string | readonly string[]>): string {
    const out: string[] = [];
    for (const token of scopes.flat().flatMap((s) => String(s).split(' '))) {
      if (token === '') continue;
      const parsed = parseScope(token);
      if (!parsed.ok) throw new OAuthError(parsed.code, `scope token "${token}": ${parsed.reason}`);
      if (!out.includes(parsed.canonical)) out.push(parsed.canonical);
    }
    return out.join(' ');
  },
});
