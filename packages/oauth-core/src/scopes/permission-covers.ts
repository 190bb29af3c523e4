import { acceptMatches } from './mime.js';
import type { Permission } from './permission.js';
import type { NormalizedRequest } from './scope-request.js';

/**
 * Whether one granular permission grants a request. `atproto`, `transition:*` and `include:` grant
 * nothing here: transitional scopes are handled by `ScopeSet`, and an include only through its
 * expanded permissions.
 */
export function permissionCovers(p: Permission, req: NormalizedRequest): boolean {
  switch (p.resource) {
    case 'repo':
      // PERM-REPO-01/02: the collection (or `*`) and the action must both be granted.
      return (
        req.kind === 'repo' &&
        (p.collection[0] === '*' || p.collection.includes(req.collection)) &&
        p.action.includes(req.action)
      );
    case 'rpc':
      // PERM-RPC-01: the method (or `*`) and the audience (or `*`) must both match.
      return (
        req.kind === 'rpc' && (p.lxm[0] === '*' || p.lxm.includes(req.lxm)) && (p.aud === '*' || p.aud === req.aud)
      );
    case 'blob':
      return req.kind === 'blob' && p.accept.some((a) => acceptMatches(a, req.mime));
    case 'account':
      // PERM-ACCT-01: `manage` implies `read`.
      return req.kind === 'account' && p.attr === req.attr && (p.action === 'manage' || req.action === 'read');
    case 'identity':
      // PERM-ID-01: `*` is full control, so it covers `handle`; `handle` does not cover `*`.
      return req.kind === 'identity' && (p.attr === '*' || p.attr === req.attr);
    default:
      return false;
  }
}
