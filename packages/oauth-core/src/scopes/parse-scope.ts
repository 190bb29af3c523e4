import { isValidAccept } from './mime.js';
import { isValidNsid } from './nsid.js';
import {
  type AccountAction,
  type AccountAttr,
  type IdentityAttr,
  type Permission,
  REPO_ACTIONS,
  type TransitionScope,
} from './permission.js';
import { parseScopeSyntax, type ScopeSyntax } from './scope-syntax.js';
import { isServiceRef } from './service-ref.js';
import { writeScope } from './write-scope.js';

/** Result of {@link parseScope}. `canonical` is the token as {@link formatScope} writes it. */
export type ScopeParseResult =
  | { readonly ok: true; readonly token: string; readonly permission: Permission; readonly canonical: string }
  | {
      readonly ok: false;
      readonly token: string;
      /** `SCOPE_SYNTAX_INVALID`: not the general grammar; `SCOPE_INVALID`: grammatical but meaningless. */
      readonly code: 'SCOPE_SYNTAX_INVALID' | 'SCOPE_INVALID';
      readonly reason: string;
    };

interface ParamRule {
  readonly multi: boolean;
  readonly required: boolean;
  /** Returns what is wrong with one value, or `undefined` if it is fine. */
  readonly check: (value: string) => string | undefined;
}
interface ResourceRule {
  readonly positional: string;
  readonly params: Readonly<Record<string, ParamRule>>;
}

const nsidOrStar = (what: string, req: string) => (v: string) =>
  v === '*' || isValidNsid(v)
    ? undefined
    : `${what} "${v}" is not an NSID or "*"${v.includes('*') ? ' (partial wildcards are not allowed)' : ''} (${req}, PERM-NSID-01)`;
const oneOf =
  (what: string, allowed: readonly string[], req: string) =>
  (v: string): string | undefined =>
    allowed.includes(v) ? undefined : `${what} "${v}" must be one of ${allowed.join(', ')} (${req})`;
const serviceRef = (what: string, req: string, star: boolean) => (v: string) =>
  (star && v === '*') || isServiceRef(v)
    ? undefined
    : `${what} "${v}" must be ${star ? '"*" or ' : ''}a DID with a service fragment, e.g. did:web:api.example.com#svc_appview (${req})`;

const RULES: Readonly<Record<string, ResourceRule>> = {
  repo: {
    positional: 'collection',
    params: {
      collection: { multi: true, required: true, check: nsidOrStar('collection', 'PERM-REPO-01') },
      action: { multi: true, required: false, check: oneOf('repo action', REPO_ACTIONS, 'PERM-REPO-02') },
    },
  },
  rpc: {
    positional: 'lxm',
    params: {
      lxm: { multi: true, required: true, check: nsidOrStar('lxm', 'PERM-RPC-01') },
      aud: { multi: false, required: true, check: serviceRef('aud', 'PERM-RPC-01', true) },
    },
  },
  blob: {
    positional: 'accept',
    params: {
      accept: {
        multi: true,
        required: true,
        check: (v) =>
          isValidAccept(v) ? undefined : `accept "${v}" must be a MIME type, "type/*" or "*/*" (PERM-BLOB-01)`,
      },
    },
  },
  account: {
    positional: 'attr',
    params: {
      attr: { multi: false, required: true, check: oneOf('account attr', ['email', 'repo'], 'PERM-ACCT-01') },
      action: { multi: false, required: false, check: oneOf('account action', ['read', 'manage'], 'PERM-ACCT-01') },
    },
  },
  identity: {
    positional: 'attr',
    params: { attr: { multi: false, required: true, check: oneOf('identity attr', ['handle', '*'], 'PERM-ID-01') } },
  },
  include: {
    positional: 'nsid',
    params: {
      nsid: {
        multi: false,
        required: true,
        check: (v) => (isValidNsid(v) ? undefined : `permission-set "${v}" is not an NSID (PERM-INC-01, PERM-NSID-01)`),
      },
      aud: { multi: false, required: false, check: serviceRef('include aud', 'PERM-INC-01', false) },
    },
  },
};

const TRANSITIONS: readonly TransitionScope[] = ['generic', 'chat.bsky', 'email'];

function collect(syntax: ScopeSyntax, rule: ResourceRule): Map<string, readonly string[]> | string {
  const { resource, positional, params } = syntax;
  const values = new Map<string, readonly string[]>();
  for (const name of params.keys()) {
    // PERM-SYN-08: an unknown parameter could narrow the permission; granting the rest would be unsafe.
    if (!Object.hasOwn(rule.params, name)) {
      return `unknown parameter "${name}" for ${resource} (allowed: ${Object.keys(rule.params).join(', ')}) (PERM-SYN-08)`;
    }
  }
  if (positional !== undefined) {
    if (positional.length === 0) return `${resource}: the part after ':' is empty (PERM-SYN-06)`;
    // PERM-SYN-04: the positional parameter may not be given again by name.
    if (params.has(rule.positional)) {
      return `${resource}: "${rule.positional}" is given both after ':' and as ?${rule.positional}= — use one (PERM-SYN-04)`;
    }
    values.set(rule.positional, [positional]);
  }
  for (const [name, list] of params) values.set(name, list);
  for (const [name, p] of Object.entries(rule.params)) {
    const list = values.get(name);
    if (list === undefined) {
      // PERM-SYN-06: a missing required parameter makes the permission grant nothing.
      if (p.required) return `${resource} needs "${name}" (as ${resource}:<${name}> or ?${name}=) (PERM-SYN-06)`;
      continue;
    }
    // PERM-SYN-07: a single-valued parameter given twice is ambiguous, so invalid.
    if (!p.multi && list.length > 1) return `${resource}: "${name}" may appear only once (PERM-SYN-07)`;
    for (const v of list) {
      const problem = p.check(v);
      if (problem) return problem;
    }
  }
  return values;
}

const uniqueSorted = (list: readonly string[], star: string): readonly string[] =>
  list.includes(star) ? [star] : [...new Set(list)].sort();

function build(syntax: ScopeSyntax): Permission | string {
  const { resource } = syntax;
  // Own keys only: `toString:x` must be an unknown resource, not Object.prototype.toString.
  const rule = Object.hasOwn(RULES, resource) ? RULES[resource] : undefined;
  if (!rule) {
    return `unknown resource "${resource}" (known: atproto, transition, ${Object.keys(RULES).join(', ')}) (PERM-SYN-06)`;
  }
  const values = collect(syntax, rule);
  if (typeof values === 'string') return values;
  const one = (name: string) => values.get(name)?.[0];
  const all = (name: string) => values.get(name) ?? [];
  switch (resource) {
    case 'repo': {
      const action = values.has('action') ? new Set(all('action')) : new Set(REPO_ACTIONS);
      return {
        resource,
        collection: uniqueSorted(all('collection'), '*'),
        // PERM-REPO-02: no action parameter means create, update and delete.
        action: REPO_ACTIONS.filter((a) => action.has(a)),
      };
    }
    case 'rpc': {
      const lxm = uniqueSorted(all('lxm'), '*');
      const aud = one('aud') as string;
      // PERM-RPC-01: "any method on any service" cannot be one permission.
      if (lxm[0] === '*' && aud === '*') return 'rpc: lxm=* together with aud=* is forbidden (PERM-RPC-01)';
      return { resource, lxm, aud };
    }
    case 'blob':
      return { resource, accept: uniqueSorted(all('accept'), '*/*') };
    case 'account':
      return { resource, attr: one('attr') as AccountAttr, action: (one('action') ?? 'read') as AccountAction };
    case 'identity':
      return { resource, attr: one('attr') as IdentityAttr };
    default: {
      const aud = one('aud');
      return aud === undefined
        ? { resource: 'include', nsid: one('nsid') as string }
        : { resource: 'include', nsid: one('nsid') as string, aud };
    }
  }
}

/**
 * Parses one scope token (`atproto`, `transition:*`, or a permission such as
 * `repo:app.relay.track?action=create`). Never throws: a token that is not the grammar gives
 * `SCOPE_SYNTAX_INVALID`, one that parses but means nothing (unknown resource, missing or unknown
 * parameter, bad value) gives `SCOPE_INVALID`, and either way it grants nothing (PERM-SYN-06).
 */
export function parseScope(token: string): ScopeParseResult {
  const parsed = parseScopeSyntax(token);
  if (!parsed.ok) return { ok: false, token: String(token), code: 'SCOPE_SYNTAX_INVALID', reason: parsed.reason };
  const { syntax } = parsed;
  let permission: Permission | string;
  if (syntax.resource === 'atproto') {
    permission = token === 'atproto' ? { resource: 'atproto' } : `"atproto" takes no positional part or parameters`;
  } else if (syntax.resource === 'transition') {
    const name = token.slice('transition:'.length) as TransitionScope;
    permission =
      token.startsWith('transition:') && TRANSITIONS.includes(name)
        ? { resource: 'transition', name }
        : `unknown transitional scope "${token}" (known: ${TRANSITIONS.map((t) => `transition:${t}`).join(', ')})`;
  } else {
    permission = build(syntax);
  }
  if (typeof permission === 'string') return { ok: false, token, code: 'SCOPE_INVALID', reason: permission };
  return { ok: true, token, permission, canonical: writeScope(permission) };
}
