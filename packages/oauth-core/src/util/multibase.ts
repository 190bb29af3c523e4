// The did:key-style multibase of a P-256 public key (atproto cryptography spec): multicodec
// p256-pub (varint 0x1200 = bytes 0x80 0x24) + the 33-byte compressed point, base58btc with a "z".
// Hand-written: 30 lines, and no dependency ships a base58 we already have.
const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

function base64urlDecode(value: string): Uint8Array {
  const b64 = value
    .replace(/-/g, '+')
    .replace(/_/g, '/')
    .padEnd(Math.ceil(value.length / 4) * 4, '=');
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

export function base58btc(bytes: Uint8Array): string {
  let zeros = 0;
  while (zeros < bytes.length && bytes[zeros] === 0) zeros++;
  const digits: number[] = [];
  for (const byte of bytes) {
    let carry = byte;
    for (let i = 0; i < digits.length; i++) {
      carry += (digits[i] as number) << 8;
      digits[i] = carry % 58;
      carry = Math.floor(carry / 58);
    }
    while (carry > 0) {
      digits.push(carry % 58);
      carry = Math.floor(carry / 58);
    }
  }
  return (
    '1'.repeat(zeros) +
    digits
      .reverse()
      .map((d) => ALPHABET[d])
      .join('')
  );
}

/** `z…` multibase of a P-256 public JWK. */
export function p256Multibase(jwk: { x: string; y: string }): string {
  const x = base64urlDecode(jwk.x);
  const y = base64urlDecode(jwk.y);
  const compressed = new Uint8Array(35);
  compressed.set([0x80, 0x24, (y[y.length - 1] as number) & 1 ? 0x03 : 0x02]);
  compressed.set(x, 3);
  return `z${base58btc(compressed)}`;
}
