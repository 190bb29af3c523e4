import { OAuthError } from '../errors.js';
import { expandPermissionSet } from './expand-permission-set.js';
import { parseScope } from './parse-scope.js';
import type { Permission } from './permission.js';
import { permissionCovers } from './permission-covers.js';
import { type NormalizedRequest, neededScope, normalizeRequest, type ScopeRequest } from './scope-request.js';

/** A token of a scope string that grants nothing: not the grammar, or grammatical but meaningless. */
export interface UnrecognisedScope {
  readonly token: string;
  readonly code: 'SCOPE_SYNTAX_INVALID' | 'SCOPE_INVALID';
  readonly reason: string;
}

/**
 * Options for {@link ScopeSet.parse}.
 *
 * @example
 * ```ts
 * const granted = ScopeSet.parse('atproto include:app.relay.authFull', { permissionSets: [authFullLexicon] });
 * ```
 */
export interface ScopeSetOptions {
  /**
   * Resolved permission-set Lexicon documents. An `include:<nsid>` whose document is given here grants
   * the `repo`/`rpc` permissions it expands to; without one it grants nothing on the client side.
   * A document whose `id` matches but which is not a permission set makes `parse` throw `SCOPE_INVALID`.
   */
  readonly permissionSets?: Iterable<unknown>;
}

/** Why {@link ScopeSet#allows} said what it said. */
export interface ScopeExplanation {
  readonly allowed: boolean;
  /** Tokens of this set that grant the request (`transition:generic`, a permission, or the `include:` it came from). */
  readonly grantedBy: readonly string[];
  /** The narrowest scope token that would grant it — what to ask for in a step-up authorization. */
  readonly needed: string | undefined;
  /** Tokens of `options.requested` that would have granted it (only when `requested` was passed). */
  readonly requestedBy: readonly string[] | undefined;
  /** `include:` tokens whose permission set was not supplied; they might grant it once expanded. */
  readonly unexpandedIncludes: readonly string[];
  /** Set when the request itself is malformed (such a request is never allowed). */
  readonly invalidRequest: string | undefined;
  /** One sentence for logs and error messages. */
  readonly message: string;
}

/**
 * Requested versus granted scope, as {@link diffScopes} and `session.scopeDiff` report it.
 *
 * @example
 * ```ts
 * const { missing } = diffScopes('atproto repo:app.relay.track blob:audio/*', session.scope);
 * if (missing.length > 0) console.log('not granted:', missing.join(' '));
 * ```
 */
export interface ScopeDiff {
  /** Requested tokens the grant lacks (canonical form; unrecognised tokens as written). */
  readonly missing: readonly string[];
  /** Granted tokens that were not requested. */
  readonly extra: readonly string[];
}

const describe = (r: NormalizedRequest): string => {
  switch (r.kind) {
    case 'repo':
      return `repo ${r.action} on ${r.collection}`;
    case 'rpc':
      return `rpc ${r.lxm} on ${r.aud}`;
    case 'blob':
      return `blob upload of ${r.mime}`;
    case 'account':
      return `account ${r.attr} ${r.action}`;
    case 'identity':
      return `identity ${r.attr}`;
  }
};

// SCOPE-04: transition:generic is roughly app-password level, minus chat. NSID authorities are
// case-insensitive, so the chat check is too (a mixed-case spelling must not slip past it).
const isChat = (lxm: string): boolean => lxm.toLowerCase().startsWith('chat.bsky.');

/**
 * A parsed scope string — what a client requested, or the `scope` a token response granted
 * (TOKEN-SCOPE-02: the grant may be narrower than the request; compare with {@link ScopeSet.diff}).
 * Tokens are split on spaces; each must be printable ASCII without `"` and `\` (SCOPE-03). Tokens that
 * do not parse, or parse but mean nothing, are kept in `unrecognised` and grant nothing (PERM-SYN-06).
 * Immutable.
 */
export class ScopeSet implements Iterable<string> {
  /** Recognised tokens in canonical form, de-duplicated, in order of first appearance. */
  readonly tokens: readonly string[];
  /** The same tokens as data, index for index. */
  readonly permissions: readonly Permission[];
  readonly unrecognised: readonly UnrecognisedScope[];
  // Sets keep parse, has() and diff linear: a hostile server could send a very long scope.
  readonly #tokenSet: ReadonlySet<string>;
  readonly #unrecognisedSet: ReadonlySet<string>;
  readonly #expanded: ReadonlyArray<{ readonly via: string; readonly permission: Permission }>;
  readonly #unexpanded: readonly string[];

  private constructor(
    tokens: string[],
    permissions: Permission[],
    unrecognised: UnrecognisedScope[],
    options: ScopeSetOptions,
  ) {
    this.tokens = Object.freeze(tokens);
    this.permissions = Object.freeze(permissions);
    this.unrecognised = Object.freeze(unrecognised);
    this.#tokenSet = new Set(tokens);
    this.#unrecognisedSet = new Set(unrecognised.map((u) => u.token));
    const documents = [...(options.permissionSets ?? [])];
    const expanded: { via: string; permission: Permission }[] = [];
    const unexpanded: string[] = [];
    permissions.forEach((p, i) => {
      if (p.resource !== 'include') return;
      const doc = documents.find((d) => (d as { id?: unknown } | null)?.id === p.nsid);
      if (doc === undefined) {
        unexpanded.push(tokens[i] as string);
        return;
      }
      for (const permission of expandPermissionSet(p, doc).permissions)
        expanded.push({ via: tokens[i] as string, permission });
    });
    this.#expanded = Object.freeze(expanded);
    this.#unexpanded = Object.freeze(unexpanded);
  }

  /** Parses a space-separated scope string (or a list of tokens). Never throws on the scope itself. */
  static parse(scope: string | readonly string[], options: ScopeSetOptions = {}): ScopeSet {
    const raw = typeof scope === 'string' ? scope.split(' ') : Array.from(scope ?? [], String);
    const tokens: string[] = [];
    const permissions: Permission[] = [];
    const unrecognised: UnrecognisedScope[] = [];
    const seenRaw = new Set<string>();
    const seenCanonical = new Set<string>();
    for (const token of raw) {
      // Runs of spaces separate; they do not make empty tokens.
      if (token === '' || seenRaw.has(token)) continue;
      seenRaw.add(token);
      const result = parseScope(token);
      if (result.ok) {
        if (seenCanonical.has(result.canonical)) continue;
        seenCanonical.add(result.canonical);
        tokens.push(result.canonical);
        permissions.push(result.permission);
      } else {
        unrecognised.push({ token, code: result.code, reason: result.reason });
      }
    }
    return new ScopeSet(tokens, permissions, unrecognised, options);
  }

  /** Requested-vs-granted difference, token by token after canonicalisation (TOKEN-SCOPE-02). */
  static diff(requested: ScopeSet | string, granted: ScopeSet | string): ScopeDiff {
    const req = typeof requested === 'string' ? ScopeSet.parse(requested) : requested;
    const got = typeof granted === 'string' ? ScopeSet.parse(granted) : granted;
    const all = (s: ScopeSet) => [...s.tokens, ...s.unrecognised.map((u) => u.token)];
    return {
      missing: all(req).filter((t) => !got.has(t)),
      extra: all(got).filter((t) => !req.has(t)),
    };
  }

  /** Number of recognised tokens. */
  get size(): number {
    return this.tokens.length;
  }

  /**
   * Whether the token is in the set — membership, not permission: equivalent spellings count
   * (PERM-SYN-05: `account?action=manage&attr=repo` finds `account:repo?action=manage`), a broader
   * permission does not. Unrecognised tokens are found by their exact text.
   */
  has(token: string): boolean {
    const parsed = parseScope(token);
    return parsed.ok ? this.#tokenSet.has(parsed.canonical) : this.#unrecognisedSet.has(token);
  }

  /** Whether the set grants the request. See {@link ScopeRequest} and the transitional rules in the README. */
  allows(request: ScopeRequest): boolean {
    const req = normalizeRequest(request);
    return typeof req !== 'string' && this.#grantors(req).length > 0;
  }

  /** Why `allows` answers as it does, and what scope would grant the request. */
  explain(request: ScopeRequest, options: { readonly requested?: ScopeSet | string } = {}): ScopeExplanation {
    const req = normalizeRequest(request);
    const requested =
      options.requested === undefined
        ? undefined
        : typeof options.requested === 'string'
          ? ScopeSet.parse(options.requested)
          : options.requested;
    if (typeof req === 'string') {
      return {
        allowed: false,
        grantedBy: [],
        needed: undefined,
        requestedBy: requested ? [] : undefined,
        unexpandedIncludes: [],
        invalidRequest: req,
        message: `invalid scope request: ${req}`,
      };
    }
    const grantedBy = this.#grantors(req);
    const needed = neededScope(req);
    const requestedBy = requested ? requested.#grantors(req) : undefined;
    const what = describe(req);
    let message: string;
    if (grantedBy.length > 0) message = `${what} is granted by ${grantedBy.join(', ')}`;
    else if (requestedBy && requestedBy.length > 0) {
      message = `${what} was requested (${requestedBy.join(', ')}) but not granted; re-authorize asking for ${needed}`;
    } else {
      message = `${what} is not granted; add ${needed} to the requested scope (and to the client metadata scope) and re-authorize`;
    }
    if (grantedBy.length === 0 && this.#unexpanded.length > 0) {
      message += ` (${this.#unexpanded.join(', ')} may grant it; pass its permission set to ScopeSet.parse to expand it)`;
    }
    return {
      allowed: grantedBy.length > 0,
      grantedBy,
      needed,
      requestedBy,
      unexpandedIncludes: this.#unexpanded,
      invalidRequest: undefined,
      message,
    };
  }

  /**
   * Throws `OAuthError` `SCOPE_NOT_GRANTED` (with the {@link ScopeExplanation} as `details`) unless the
   * set grants the request; `SCOPE_INVALID` if the request is malformed.
   */
  assertAllows(request: ScopeRequest, options: { readonly requested?: ScopeSet | string } = {}): void {
    const explanation = this.explain(request, options);
    if (explanation.allowed) return;
    const code = explanation.invalidRequest ? 'SCOPE_INVALID' : 'SCOPE_NOT_GRANTED';
    throw new OAuthError(code, explanation.message, { details: explanation });
  }

  /** The canonical scope string (recognised tokens only, space-separated). */
  toString(): string {
    return this.tokens.join(' ');
  }

  /** Iterates the recognised tokens in canonical form (the same as {@link ScopeSet.tokens}). */
  [Symbol.iterator](): Iterator<string> {
    return this.tokens[Symbol.iterator]();
  }

  #grantors(req: NormalizedRequest): string[] {
    const out: string[] = [];
    const generic = this.#tokenSet.has('transition:generic');
    if (generic) {
      // SCOPE-04: any record write and any blob upload; rpc to any service except chat.bsky.*;
      // never account or identity management.
      if (req.kind === 'repo' || req.kind === 'blob' || (req.kind === 'rpc' && !isChat(req.lxm))) {
        out.push('transition:generic');
      }
    }
    // SCOPE-05: transition:chat.bsky unlocks chat.bsky.* only together with transition:generic.
    if (generic && req.kind === 'rpc' && isChat(req.lxm) && this.#tokenSet.has('transition:chat.bsky')) {
      out.push('transition:chat.bsky');
    }
    // SCOPE-06: transition:email lets the app read (not change) the account email.
    if (
      req.kind === 'account' &&
      req.attr === 'email' &&
      req.action === 'read' &&
      this.#tokenSet.has('transition:email')
    ) {
      out.push('transition:email');
    }
    this.permissions.forEach((p, i) => {
      if (permissionCovers(p, req)) out.push(this.tokens[i] as string);
    });
    for (const { via, permission } of this.#expanded) {
      if (permissionCovers(permission, req) && !out.includes(via)) out.push(via);
    }
    return out;
  }
}
