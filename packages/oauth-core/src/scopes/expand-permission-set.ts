import { OAuthError } from '../errors.js';
import { isValidNsid } from './nsid.js';
import { type IncludeScope, type Permission, REPO_ACTIONS, type RepoAction } from './permission.js';

/** What {@link expandPermissionSet} made of a permission-set Lexicon for one `include:` scope. */
export interface PermissionSetExpansion {
  /** The `repo` and `rpc` permissions the include grants, `aud` already inherited where marked. */
  readonly permissions: readonly Permission[];
  /** Entries dropped on their own (PERM-SET-02..04), by index in `defs.main.permissions`, with why. */
  readonly ignored: readonly { readonly index: number; readonly reason: string }[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

// PERM-SET-03: a set may only name NSIDs in its own group (everything before its last segment) or below.
function underAuthority(setNsid: string, nsid: string): boolean {
  const group = setNsid.slice(0, setNsid.lastIndexOf('.'));
  const own = nsid.slice(0, nsid.lastIndexOf('.'));
  return own === group || own.startsWith(`${group}.`);
}

function nsidList(setNsid: string, value: unknown, field: string): readonly string[] | string {
  if (!Array.isArray(value) || value.length === 0) return `"${field}" must be a non-empty array of NSIDs`;
  for (const v of value) {
    // PERM-SET-02: wildcards are not allowed inside permission sets.
    if (v === '*') return `"${field}" may not be "*" inside a permission set (PERM-SET-02)`;
    if (typeof v !== 'string' || !isValidNsid(v)) return `"${field}" value ${JSON.stringify(v)} is not an NSID`;
    if (!underAuthority(setNsid, v)) return `${v} is outside the namespace of ${setNsid} (PERM-SET-03)`;
  }
  return [...new Set(value as string[])].sort();
}

function unknownKey(entry: Record<string, unknown>, allowed: readonly string[]): string | undefined {
  return Object.keys(entry).find((k) => !allowed.includes(k));
}

function expandEntry(include: IncludeScope, entry: unknown): Permission | string {
  if (!isObject(entry) || entry.type !== 'permission') return 'not a {"type":"permission"} object';
  const resource = entry.resource;
  if (resource !== 'repo' && resource !== 'rpc') {
    // PERM-SET-02 (blob, account, identity) and PERM-SET-04 (unknown resources): ignored inside sets.
    return `resource ${JSON.stringify(resource)} does not count inside a permission set (PERM-SET-02, PERM-SET-04)`;
  }
  if (resource === 'repo') {
    // PERM-SET-04: an unexpected parameter could narrow the permission, so the whole entry is dropped.
    const extra = unknownKey(entry, ['type', 'resource', 'collection', 'action']);
    if (extra) return `unexpected parameter "${extra}" (PERM-SET-04)`;
    const collection = nsidList(include.nsid, entry.collection, 'collection');
    if (typeof collection === 'string') return collection;
    let action: readonly RepoAction[] = REPO_ACTIONS;
    if (entry.action !== undefined) {
      const list = entry.action;
      if (!Array.isArray(list) || list.length === 0 || !list.every((a) => REPO_ACTIONS.includes(a))) {
        return `"action" must be a non-empty array of create, update, delete (PERM-SET-04)`;
      }
      action = REPO_ACTIONS.filter((a) => list.includes(a));
    }
    return { resource: 'repo', collection, action };
  }
  const extra = unknownKey(entry, ['type', 'resource', 'lxm', 'aud', 'inheritAud']);
  if (extra) return `unexpected parameter "${extra}" (PERM-SET-04)`;
  const lxm = nsidList(include.nsid, entry.lxm, 'lxm');
  if (typeof lxm === 'string') return lxm;
  if (entry.inheritAud !== undefined && typeof entry.inheritAud !== 'boolean') return '"inheritAud" must be a boolean';
  if (entry.inheritAud === true) {
    // PERM-SET-02: inheritAud with an aud of its own, or with no aud on the include, is ignored.
    if (entry.aud !== undefined) return 'inheritAud together with aud (PERM-SET-02)';
    if (include.aud === undefined) return 'inheritAud but the include: scope has no aud (PERM-SET-02)';
    return { resource: 'rpc', lxm, aud: include.aud };
  }
  // PERM-SET-02: inside a set, aud is "*" (DID references are not allowed there).
  if (entry.aud !== '*')
    return '"aud" must be "*" or replaced by inheritAud:true inside a permission set (PERM-SET-02)';
  return { resource: 'rpc', lxm, aud: '*' };
}

/**
 * Expands an `include:` scope with its resolved permission-set Lexicon document (the client cannot
 * resolve it by itself; the authorization server does, PERM-SET-01). Only `repo` and `rpc` entries under
 * the set's own namespace count; any other entry is dropped alone and listed in `ignored`.
 * Throws `OAuthError` `SCOPE_INVALID` if `document` is not the permission set that `include` names.
 */
export function expandPermissionSet(include: IncludeScope, document: unknown): PermissionSetExpansion {
  const main = isObject(document) && isObject(document.defs) ? document.defs.main : undefined;
  if (!isObject(document) || document.id !== include.nsid || !isObject(main) || main.type !== 'permission-set') {
    throw new OAuthError(
      'SCOPE_INVALID',
      `expected the permission-set Lexicon "${include.nsid}" (id equal to the NSID, defs.main.type "permission-set")`,
    );
  }
  if (!Array.isArray(main.permissions)) {
    throw new OAuthError('SCOPE_INVALID', `permission set "${include.nsid}" has no "permissions" array`);
  }
  const permissions: Permission[] = [];
  const ignored: { index: number; reason: string }[] = [];
  main.permissions.forEach((entry: unknown, index: number) => {
    const result = expandEntry(include, entry);
    if (typeof result === 'string') ignored.push({ index, reason: result });
    else permissions.push(result);
  });
  return { permissions, ignored };
}
