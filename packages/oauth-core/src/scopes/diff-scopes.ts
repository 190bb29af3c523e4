import { type ScopeDiff, ScopeSet } from './scope-set.js';

/**
 * What the authorization server granted compared with what was requested (TOKEN-SCOPE-02): `missing`
 * were requested but not granted, `extra` granted but not requested. Compared token by token after
 * canonicalisation, so `account?action=manage&attr=repo` and `account:repo?action=manage` are the same.
 */
export function diffScopes(requested: ScopeSet | string, granted: ScopeSet | string): ScopeDiff {
  return ScopeSet.diff(requested, granted);
}
