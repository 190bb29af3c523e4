// Percent-encoding for scope strings, written by hand: `encodeURIComponent` leaves `'()!` raw and
// encodes `:`/`/`/`*`, and `URLSearchParams` is lenient with broken `%` sequences; we need neither.

const HEX = '0123456789ABCDEF';

/** Characters written raw in a canonical value; everything else is percent-encoded (PERM-RPC-02: `#` → `%23`). */
function isSafe(code: number): boolean {
  return (
    (code >= 0x30 && code <= 0x39) || // 0-9
    (code >= 0x41 && code <= 0x5a) || // A-Z
    (code >= 0x61 && code <= 0x7a) || // a-z
    code === 0x2d || // -
    code === 0x2e || // .
    code === 0x5f || // _
    code === 0x7e || // ~
    code === 0x2a || // *
    code === 0x2f || // /
    code === 0x3a || // :
    code === 0x40 // @
  );
}

/**
 * Encodes a decoded value for a scope string. `+` is always written `%2B`, so the result means the
 * same to a strict percent-decoder and to a form decoder (which reads `+` as a space).
 */
export function percentEncode(value: string): string {
  let out = '';
  for (const byte of new TextEncoder().encode(value)) {
    if (isSafe(byte)) out += String.fromCharCode(byte);
    else out += `%${HEX[byte >> 4]}${HEX[byte & 15]}`;
  }
  return out;
}

/**
 * Strict percent-decoding: a `%` not followed by two hex digits, or bytes that are not UTF-8,
 * give `undefined` (a syntax error) instead of being passed through.
 */
export function percentDecode(value: string): string | undefined {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}
