import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseScope, scope } from '../src/index.js';
import { isValidNsid } from '../src/scopes/nsid.js';
import { isServiceRef, isValidDid } from '../src/scopes/service-ref.js';

// CC0 vectors from bluesky-social/atproto-interop-tests (see fixtures/atproto-interop-tests/README.md).
// Blank lines and `#` comments are skipped; nothing is trimmed, since leading/trailing spaces are vectors.
function vectors(name: string): string[] {
  const text = readFileSync(new URL(`./fixtures/atproto-interop-tests/${name}`, import.meta.url), 'utf8');
  return text.split('\n').filter((line) => line.length > 0 && !line.startsWith('#'));
}

describe('PERM-NSID-01: NSID syntax (atproto-interop-tests nsid_syntax_*.txt)', () => {
  const valid = vectors('nsid_syntax_valid.txt');
  const invalid = vectors('nsid_syntax_invalid.txt');

  it('the fixture files are the expected ones', () => {
    expect(valid.length).toBeGreaterThanOrEqual(25);
    expect(invalid.length).toBeGreaterThanOrEqual(25);
  });

  it.each(valid)('valid: %s', (nsid) => {
    expect(isValidNsid(nsid)).toBe(true);
    // …and usable as a repo collection and an rpc lxm.
    expect(parseScope(`repo:${nsid}`).ok).toBe(true);
    expect(parseScope(`rpc:${nsid}?aud=*`).ok).toBe(true);
  });

  it.each(invalid)('invalid: %j', (nsid) => {
    expect(isValidNsid(nsid)).toBe(false);
    expect(parseScope(`repo:${nsid}`).ok).toBe(false);
    expect(parseScope(`rpc?lxm=${encodeURIComponent(nsid)}&aud=*`).ok).toBe(false);
  });

  it('requirements.md §4.6 NSID examples', () => {
    for (const v of [
      'com.example.fooBar',
      'net.users.bob.ping',
      'a-0.b-1.c',
      'a.b.c',
      'com.example.fooBarV2',
      'cn.8.lex.stuff',
    ]) {
      expect(isValidNsid(v), v).toBe(true);
    }
    for (const v of ['com.exa💩ple.thing', 'com.example', 'com.example.3']) expect(isValidNsid(v), v).toBe(false);
  });

  it('length limits: 317 chars in all, 63 per label and per name segment', () => {
    const label = 'a'.repeat(63);
    const nsid317 = `${[label, label, label, label].join('.')}.${'b'.repeat(61)}`;
    expect(nsid317).toHaveLength(317);
    expect(isValidNsid(nsid317)).toBe(true);
    expect(isValidNsid(`${nsid317}b`)).toBe(false);
    expect(isValidNsid(`com.${'a'.repeat(64)}.foo`)).toBe(false);
    expect(isValidNsid(`com.example.${'a'.repeat(63)}`)).toBe(true);
    expect(isValidNsid(`com.example.${'a'.repeat(64)}`)).toBe(false);
  });

  it('builders refuse invalid NSIDs with SCOPE_INVALID', () => {
    expect(() => scope.repo('com.example.*')).toThrow(/PERM-REPO-01/);
    expect(() => scope.rpc('com.example', { aud: '*' })).toThrow(/PERM-RPC-01/);
  });
});

describe('PERM-RPC-01 / PERM-INC-01: aud DIDs follow the DID syntax (atproto-interop-tests did_syntax_*.txt)', () => {
  it.each(vectors('did_syntax_valid.txt'))('valid DID: %s', (did) => {
    expect(isValidDid(did)).toBe(true);
    expect(isServiceRef(`${did}#svc`)).toBe(true);
    expect(isServiceRef(did)).toBe(false);
  });

  it.each(vectors('did_syntax_invalid.txt'))('invalid DID: %j', (did) => {
    expect(isValidDid(did)).toBe(false);
    if (!did.includes('#')) expect(isServiceRef(`${did}#svc`)).toBe(false);
  });
});
