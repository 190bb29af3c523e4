import { OAuthError } from '../errors.js';
import { parseScope } from './parse-scope.js';
import type { Permission } from './permission.js';
import { writeScope } from './write-scope.js';

const ARRAY_FIELDS: Readonly<Record<string, string>> = { repo: 'collection', rpc: 'lxm', blob: 'accept' };

/**
 * The canonical scope string of a permission (what `ScopeSet#toString` and the builders emit).
 * Throws `OAuthError` `SCOPE_INVALID` when the object does not describe a valid permission, so a
 * hand-built object can never be written as something broader than meant (e.g. an empty `action`).
 */
export function formatScope(permission: Permission): string {
  const p = permission as unknown as Record<string, unknown>;
  const resource = String(p?.resource);
  const field = Object.hasOwn(ARRAY_FIELDS, resource) ? ARRAY_FIELDS[resource] : undefined;
  for (const name of field ? [field, ...(p.resource === 'repo' ? ['action'] : [])] : []) {
    const value = p[name];
    if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === 'string')) {
      throw new OAuthError(
        'SCOPE_INVALID',
        `${String(p.resource)} permission needs a non-empty string array "${name}"`,
      );
    }
  }
  let written: string;
  try {
    written = writeScope(permission);
  } catch (cause) {
    throw new OAuthError('SCOPE_INVALID', `not a permission object: ${JSON.stringify(permission)}`, { cause });
  }
  const parsed = parseScope(written);
  if (!parsed.ok)
    throw new OAuthError('SCOPE_INVALID', `cannot format ${JSON.stringify(permission)}: ${parsed.reason}`);
  return parsed.canonical;
}
