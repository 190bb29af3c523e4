import { IdentityError } from './errors.js';

// ID-HANDLE-01: labels of 1–63 chars from [A-Za-z0-9-], no leading/trailing '-', ≥ 2 labels,
// last label not starting with a digit. Length (≤ 253) is checked separately.
const HANDLE_RE = /^([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/;
const HANDLE_MAX_LENGTH = 253;

/** TLDs that must fail resolution (ID-HANDLE-03). `.test` is added unless `allowTestTld` is set. */
export const RESERVED_HANDLE_TLDS: readonly string[] = [
  'alt',
  'arpa',
  'example',
  'internal',
  'invalid',
  'local',
  'localhost',
  'onion',
];

/**
 * Pure syntax check (ID-HANDLE-01). Names under reserved TLDs such as `laptop.local` are
 * syntactically valid; `assertResolvableHandle` refuses them.
 */
export function isValidHandle(handle: string): boolean {
  return typeof handle === 'string' && handle.length <= HANDLE_MAX_LENGTH && HANDLE_RE.test(handle);
}

/**
 * Turns user input into the handle to resolve (ID-HANDLE-02): trims surrounding whitespace, strips
 * one leading `@` (a UI convention) and lowercases ASCII. Does not check syntax.
 */
export function normalizeHandle(input: string): string {
  const trimmed = input.trim();
  const bare = trimmed.startsWith('@') ? trimmed.slice(1) : trimmed;
  return bare.replace(/[A-Z]+/g, (s) => s.toLowerCase());
}

/** True when the handle's last label is reserved (ID-HANDLE-03); `.test` counts unless `allowTestTld`. */
export function isReservedHandleTld(handle: string, options: { allowTestTld?: boolean } = {}): boolean {
  const tld = handle.slice(handle.lastIndexOf('.') + 1).toLowerCase();
  if (tld === 'test') return !options.allowTestTld;
  return RESERVED_HANDLE_TLDS.includes(tld);
}

/**
 * Normalises `input` and throws unless it is a handle that may be resolved: valid syntax
 * (`IDENTITY_HANDLE_INVALID`) and not under a reserved TLD (`IDENTITY_TLD_RESERVED`). Runs before
 * any network I/O. Returns the normalised handle.
 */
export function assertResolvableHandle(input: string, options: { allowTestTld?: boolean } = {}): string {
  if (typeof input !== 'string') throw new IdentityError('IDENTITY_HANDLE_INVALID', 'A handle must be a string.');
  const handle = normalizeHandle(input);
  if (!isValidHandle(handle)) {
    throw new IdentityError(
      'IDENTITY_HANDLE_INVALID',
      `"${truncate(input)}" is not a valid handle: use a domain name such as alice.bsky.social (ASCII, ≥ 2 labels, ≤ 253 chars).`,
    );
  }
  // ID-HANDLE-03 / ID-HANDLE-15: reserved TLDs (incl. handle.invalid) fail before any lookup.
  if (isReservedHandleTld(handle, options)) {
    const tld = handle.slice(handle.lastIndexOf('.'));
    throw new IdentityError(
      'IDENTITY_TLD_RESERVED',
      `Handles under "${tld}" cannot be resolved${tld === '.test' ? ' outside dev mode (set dev: true)' : ''}.`,
    );
  }
  return handle;
}

/** Shortens untrusted input for error messages. */
export function truncate(value: string, max = 80): string {
  return value.length > max ? `${value.slice(0, max)}…` : value;
}
