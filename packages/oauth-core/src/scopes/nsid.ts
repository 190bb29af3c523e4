// Hand-written rather than taken from @atproto/syntax: that package would be the only dependency of
// the scope code and ships to browsers; the rule is a dozen lines.

const NAME = /^[A-Za-z][A-Za-z0-9]{0,62}$/;
const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/**
 * PERM-NSID-01: an NSID is a reversed domain authority (≥ 2 hostname labels of ≤ 63 chars, the first
 * not starting with a digit) plus a name segment `[A-Za-z][A-Za-z0-9]{0,62}`; ≤ 317 chars in all.
 * The authority is not held to a hostname's 253 chars: the interop vectors accept a longer one.
 */
export function isValidNsid(value: string): boolean {
  if (typeof value !== 'string' || value.length > 317) return false;
  const segments = value.split('.');
  if (segments.length < 3) return false;
  const name = segments.pop() as string;
  if (!NAME.test(name)) return false;
  for (const label of segments) if (!LABEL.test(label)) return false;
  const first = segments[0]?.charCodeAt(0) ?? 0;
  return !(first >= 0x30 && first <= 0x39);
}
