import { describe, expect, it } from 'vitest';
import {
  assertResolvableHandle,
  assertSupportedDid,
  isReservedHandleTld,
  isValidDid,
  isValidHandle,
  normalizeHandle,
} from '../src/index.js';
import { codeOf } from './helpers/codes.js';
import { vectors } from './helpers/vectors.js';

describe('ID-HANDLE-01: handle syntax (CC0 atproto-interop-tests vectors)', () => {
  const valid = vectors('handle_syntax_valid.txt');
  const invalid = vectors('handle_syntax_invalid.txt');

  it('loads the vector files', () => {
    expect(valid.length).toBeGreaterThan(60);
    expect(invalid.length).toBeGreaterThan(40);
  });
  it.each(valid)('valid: %s', (h) => expect(isValidHandle(h)).toBe(true));
  it.each(invalid)('invalid: %j', (h) => expect(isValidHandle(h)).toBe(false));

  it('§4.6 fixed values', () => {
    for (const h of ['jay.bsky.social', '8.cn', 'name.t--t', 'XX.LCS.MIT.EDU', 'a.co', 'xn--ls8h.test', 'example.t']) {
      expect(isValidHandle(h), h).toBe(true);
    }
    for (const h of ['jo@hn.test', '💩.test', 'john..test', 'xn--bcher-.tld', 'john.0', 'cn.8', 'org', 'name.org.']) {
      expect(isValidHandle(h), h).toBe(false);
    }
    // syntactically valid, but must fail resolution
    for (const h of ['laptop.local', 'blah.arpa', '2gzyxa5ihm7nsggfxnu52rck2vv4rvmdlkiu3zzui5du4xyclen53wid.onion']) {
      expect(isValidHandle(h), h).toBe(true);
    }
  });

  it('253 chars is the limit', () => {
    const label = 'a'.repeat(63);
    const h253 = `${label}.${label}.${label}.${'b'.repeat(56)}.test`;
    expect(h253).toHaveLength(253);
    expect(isValidHandle(h253)).toBe(true);
    expect(isValidHandle(`a${h253}`)).toBe(false);
  });

  it('invalid syntax is IDENTITY_HANDLE_INVALID, before any I/O', async () => {
    for (const h of ['john..test', 'org', 'jo@hn.test', '💩.test', 'name.org.']) {
      expect(await codeOf(() => assertResolvableHandle(h)), h).toBe('IDENTITY_HANDLE_INVALID');
    }
  });
});

describe('ID-HANDLE-02: normalisation', () => {
  it('lowercases and strips one leading @', () => {
    expect(normalizeHandle('@Alice.Example.COM')).toBe('alice.example.com');
    expect(normalizeHandle('  bob.test ')).toBe('bob.test');
    expect(normalizeHandle('@@x.test')).toBe('@x.test');
    expect(assertResolvableHandle('@Alice.Example.COM')).toBe('alice.example.com');
  });
});

describe('ID-HANDLE-03 / ID-HANDLE-15: reserved TLDs fail before resolution', () => {
  it.each([
    'laptop.local',
    'blah.arpa',
    'x.onion',
    'handle.invalid',
    'a.localhost',
    'a.internal',
    'a.alt',
    'a.example',
  ])('%s → IDENTITY_TLD_RESERVED', async (h) => {
    expect(isValidHandle(h)).toBe(true);
    expect(await codeOf(() => assertResolvableHandle(h))).toBe('IDENTITY_TLD_RESERVED');
  });

  it('.test only in dev mode', async () => {
    expect(await codeOf(() => assertResolvableHandle('alice.test'))).toBe('IDENTITY_TLD_RESERVED');
    expect(assertResolvableHandle('alice.test', { allowTestTld: true })).toBe('alice.test');
    expect(isReservedHandleTld('alice.test', { allowTestTld: true })).toBe(false);
    expect(isReservedHandleTld('HANDLE.INVALID')).toBe(true);
  });
});

describe('ID-DID-01: DID syntax (CC0 vectors)', () => {
  const valid = vectors('did_syntax_valid.txt');
  const invalid = vectors('did_syntax_invalid.txt');

  it('loads the vector files', () => {
    expect(valid.length).toBeGreaterThan(20);
    expect(invalid.length).toBeGreaterThan(15);
  });
  it.each(valid.map((d) => [d.slice(0, 60), d]))('valid: %s', (_, d) => expect(isValidDid(d)).toBe(true));
  it.each(invalid.map((d) => [d.slice(0, 60), d]))('invalid: %s', (_, d) => expect(isValidDid(d)).toBe(false));

  it('§4.6 invalid values are IDENTITY_DID_INVALID (a different code from unsupported method)', async () => {
    for (const d of [
      'did:METHOD:val',
      'did:m123:val',
      'DID:method:val',
      'did:method:',
      'did:method:val/two',
      'did:method:val?two',
      'did:method:val#two',
    ]) {
      expect(await codeOf(() => assertSupportedDid(d)), d).toBe('IDENTITY_DID_INVALID');
    }
  });
  it('over 2048 chars is invalid', () => {
    expect(isValidDid(`did:web:${'a'.repeat(2040)}`)).toBe(true);
    expect(isValidDid(`did:web:${'a'.repeat(2041)}`)).toBe(false);
  });
});

describe('ID-DID-02: only did:plc and did:web are supported', () => {
  it.each([
    'did:key:zQ3shZc2QzApp2oymGvQbzP8eKheVshBHbU4ZYjeXqwSKEn6N',
    'did:method:val:two',
    'did:m:v',
    'did:method::::val',
    'did:method:-:_:.',
  ])('%s → IDENTITY_DID_METHOD_UNSUPPORTED', async (d) => {
    expect(isValidDid(d)).toBe(true);
    expect(await codeOf(() => assertSupportedDid(d))).toBe('IDENTITY_DID_METHOD_UNSUPPORTED');
  });
  it('plc and web pass', () => {
    expect(assertSupportedDid('did:plc:ewvi7nxzyoun6zhxrhs64oiz')).toBe('did:plc:ewvi7nxzyoun6zhxrhs64oiz');
    expect(assertSupportedDid('did:web:user.example.com')).toBe('did:web:user.example.com');
  });
});

describe('ID-DID-03: did:plc identifiers are 24 base32 chars', () => {
  it('accepts the spec example', () => {
    expect(assertSupportedDid('did:plc:yk4dd2qkboz2yv6tpubpc6co')).toBe('did:plc:yk4dd2qkboz2yv6tpubpc6co');
  });
  it.each([
    'did:plc:YK4DD2QKBOZ2YV6TPUBPC6CO',
    'did:plc:yk4dd2qkboz2yv6tpubpc6c',
    'did:plc:yk4dd2qkboz2yv6tpubpc6co2',
    'did:plc:yk4dd2qkboz2yv6tpubpc6c0',
    'did:plc:yk4dd2qkboz2yv6tpubpc6c1',
    'did:plc:yk4dd2qkboz2yv6tpubpc6c8',
    'did:plc:yk4dd2qkboz2yv6tpubpc6c9',
  ])('%s → IDENTITY_DID_INVALID', async (d) => {
    expect(await codeOf(() => assertSupportedDid(d))).toBe('IDENTITY_DID_INVALID');
  });
});
