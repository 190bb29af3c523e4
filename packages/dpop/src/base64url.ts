// Hand-written rather than using Buffer so the main entry stays runtime-neutral (Node 20 has no
// Uint8Array.prototype.toBase64); decoding is strict because verification depends on it.
import { DpopError } from './errors.js';

const encoder = new TextEncoder();
const B64URL = /^[A-Za-z0-9_-]*$/;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** base64url without padding. */
export function encodeBase64url(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i] as number);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * base64url of an ASCII string (btoa reads it as Latin-1 bytes, which equal the ASCII/UTF-8 bytes).
 * Proof payloads are ASCII by construction (URL serialisations, base64url values, checked tokens).
 */
export function encodeBase64urlAscii(text: string): string {
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** base64url (no padding) of the UTF-8 bytes of `text`. */
export function encodeBase64urlText(text: string): string {
  return encodeBase64url(encoder.encode(text));
}

/**
 * Strict base64url decoding: only the URL-safe alphabet, no padding, and the unused low bits of the
 * last character must be zero, so every byte string has exactly one accepted encoding (a changed
 * character always changes the decoded bytes).
 */
export function decodeBase64url(text: string, what: string): Uint8Array<ArrayBuffer> {
  if (!B64URL.test(text) || text.length % 4 === 1) {
    throw new DpopError('DPOP_MALFORMED', `${what} is not valid base64url (unpadded, URL-safe alphabet)`);
  }
  const rest = text.length % 4;
  if (rest !== 0) {
    const last = ALPHABET.indexOf(text[text.length - 1] as string);
    const unusedBits = rest === 2 ? 4 : 2;
    if ((last & ((1 << unusedBits) - 1)) !== 0) {
      throw new DpopError('DPOP_MALFORMED', `${what} is not canonical base64url (non-zero trailing bits)`);
    }
  }
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}
