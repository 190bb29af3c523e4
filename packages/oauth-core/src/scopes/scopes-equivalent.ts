import { parseScope } from './parse-scope.js';

/**
 * PERM-SYN-05: whether two scope tokens mean the same permission (positional vs named form, parameter
 * order, percent-encoding, repeated values). Tokens that grant nothing are equivalent to nothing.
 */
export function scopesEquivalent(a: string, b: string): boolean {
  const x = parseScope(a);
  const y = parseScope(b);
  return x.ok && y.ok && x.canonical === y.canonical;
}
