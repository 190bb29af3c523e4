import { expect } from 'vitest';
import { IdentityError } from '../../src/index.js';

/** Awaits `p`, expects an IdentityError, returns its code. */
export async function codeOf(p: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    expect(err, String(err)).toBeInstanceOf(IdentityError);
    return (err as IdentityError).code;
  }
  throw new Error('expected an IdentityError');
}
