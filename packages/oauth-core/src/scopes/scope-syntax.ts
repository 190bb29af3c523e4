import { percentDecode } from './percent.js';

/**
 * The generic shape of a permission scope string, `resource[:positional][?name=value(&name=value)*]`,
 * before any resource-specific meaning is given to it (PERM-SYN-01..03).
 */
export interface ScopeSyntax {
  readonly resource: string;
  /** Percent-decoded text between the first `:` and the first `?`; `undefined` when there is no `:`. */
  readonly positional: string | undefined;
  /** Percent-decoded parameters in order of first appearance; repeated names collect into one array. */
  readonly params: ReadonlyMap<string, readonly string[]>;
}

export type ScopeSyntaxResult = { ok: true; syntax: ScopeSyntax } | { ok: false; reason: string };

/** SCOPE-03: an OAuth scope token is printable ASCII (0x21–0x7E) without `"` and `\`. */
export function isScopeToken(token: string): boolean {
  if (token.length === 0) return false;
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    if (c < 0x21 || c > 0x7e || c === 0x22 || c === 0x5c) return false;
  }
  return true;
}

function describeBadChar(token: string): string {
  for (const ch of token) {
    const c = ch.codePointAt(0) ?? 0;
    if (c < 0x21 || c > 0x7e || c === 0x22 || c === 0x5c) {
      const shown = c < 0x21 || c === 0x7f ? `U+${c.toString(16).toUpperCase().padStart(4, '0')}` : `"${ch}"`;
      return `${shown} is not allowed: scope tokens are printable ASCII without space, '"' and '\\' (SCOPE-03, PERM-SYN-01); percent-encode it`;
    }
  }
  return 'the scope token is empty';
}

// `+` in a parameter is read as a space, as the reference authorization server's form decoder
// (URLSearchParams) does: both sides then agree, and no valid value contains a space, so a raw `+`
// makes the permission invalid rather than silently meaning something else.
function decodeParam(raw: string): string | undefined {
  return percentDecode(raw.replaceAll('+', ' '));
}

/**
 * Splits one scope token into resource, positional and parameters. Never throws: anything that is not
 * the general grammar comes back as `{ ok: false }`.
 */
export function parseScopeSyntax(token: string): ScopeSyntaxResult {
  // PERM-SYN-01 / SCOPE-03: printable non-whitespace ASCII only, case-sensitive.
  if (typeof token !== 'string' || !isScopeToken(token)) {
    return { ok: false, reason: typeof token !== 'string' ? 'a scope token must be a string' : describeBadChar(token) };
  }
  const q = token.indexOf('?');
  const head = q === -1 ? token : token.slice(0, q);
  const query = q === -1 ? undefined : token.slice(q + 1);
  // PERM-SYN-02: the positional part runs from the first `:` to the first `?`.
  const colon = head.indexOf(':');
  const resource = colon === -1 ? head : head.slice(0, colon);
  if (resource.length === 0) return { ok: false, reason: `"${token}" has no resource name before ':' or '?'` };

  let positional: string | undefined;
  if (colon !== -1) {
    positional = percentDecode(head.slice(colon + 1));
    if (positional === undefined) {
      return { ok: false, reason: `the positional part of "${token}" has a broken percent-encoding (use %XX)` };
    }
  }

  // PERM-SYN-03: params split on `&`, then on the first `=`; repeated names make an array.
  const params = new Map<string, string[]>();
  if (query !== undefined && query.length > 0) {
    for (const pair of query.split('&')) {
      const eq = pair.indexOf('=');
      if (eq <= 0) {
        return {
          ok: false,
          reason:
            pair.length === 0
              ? `"${token}" has an empty parameter (stray '&')`
              : `parameter "${pair}" in "${token}" is not of the form name=value`,
        };
      }
      const name = decodeParam(pair.slice(0, eq));
      const value = decodeParam(pair.slice(eq + 1));
      if (name === undefined || value === undefined) {
        return { ok: false, reason: `parameter "${pair}" in "${token}" has a broken percent-encoding (use %XX)` };
      }
      const list = params.get(name);
      if (list) list.push(value);
      else params.set(name, [value]);
    }
  }
  return { ok: true, syntax: { resource, positional, params } };
}
