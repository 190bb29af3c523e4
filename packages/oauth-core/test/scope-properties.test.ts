import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatScope, type Permission, parseScope, ScopeSet, scopesEquivalent } from '../src/index.js';

const lower = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz');
const alnum = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789');
const label = fc
  .tuple(lower, fc.array(fc.constantFrom(...'abcxyz019-'), { maxLength: 6 }), lower)
  .map(([a, m, z]) => a + m.join('') + z);
const name = fc.tuple(fc.constantFrom(...'abcXYZ'), fc.array(alnum, { maxLength: 8 })).map(([a, r]) => a + r.join(''));
const nsid = fc
  .tuple(fc.array(label, { minLength: 2, maxLength: 4 }), name)
  .map(([auth, n]) => `${auth.join('.')}.${n}`);
const fragment = fc.array(fc.constantFrom(...'abc_-.~019:@!$'), { minLength: 1, maxLength: 10 }).map((a) => a.join(''));
const did = fc.oneof(
  label.map((l) => `did:web:${l}.example`),
  fc
    .array(fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz234567'), { minLength: 24, maxLength: 24 })
    .map((a) => `did:plc:${a.join('')}`),
  fc.integer({ min: 1, max: 65535 }).map((port) => `did:web:localhost%3A${port}`),
);
const serviceRef = fc.tuple(did, fragment).map(([d, f]) => `${d}#${f}`);
const mimeName = fc
  .tuple(alnum, fc.array(fc.constantFrom(...'abc019+-.!#$&^_'), { maxLength: 6 }))
  .map(([a, r]) => a + r.join(''));
const accept = fc.oneof(
  fc.constant('*/*'),
  mimeName.map((t) => `${t}/*`),
  fc.tuple(mimeName, mimeName).map(([t, s]) => `${t}/${s}`),
);
const nonEmpty = <T>(arb: fc.Arbitrary<T>) => fc.array(arb, { minLength: 1, maxLength: 4 });

const permission: fc.Arbitrary<Permission> = fc.oneof(
  fc.constant({ resource: 'atproto' } as const),
  fc.constantFrom('generic', 'chat.bsky', 'email').map((n) => ({ resource: 'transition', name: n }) as const),
  fc.record({
    resource: fc.constant('repo' as const),
    collection: nonEmpty(fc.oneof({ weight: 5, arbitrary: nsid }, { weight: 1, arbitrary: fc.constant('*') })),
    action: fc.subarray(['create', 'update', 'delete'] as const, { minLength: 1 }),
  }),
  fc
    .record({
      resource: fc.constant('rpc' as const),
      lxm: nonEmpty(fc.oneof({ weight: 5, arbitrary: nsid }, { weight: 1, arbitrary: fc.constant('*') })),
      aud: fc.oneof(fc.constant('*'), serviceRef),
    })
    .filter((p) => !(p.aud === '*' && p.lxm.includes('*'))),
  fc.record({ resource: fc.constant('blob' as const), accept: nonEmpty(accept) }),
  fc.record({
    resource: fc.constant('account' as const),
    attr: fc.constantFrom('email', 'repo'),
    action: fc.constantFrom('read', 'manage'),
  }),
  fc.record({ resource: fc.constant('identity' as const), attr: fc.constantFrom('handle', '*') }),
  fc
    .record({ resource: fc.constant('include' as const), nsid, aud: fc.option(serviceRef, { nil: undefined }) })
    .map((p) => (p.aud === undefined ? { resource: 'include' as const, nsid: p.nsid } : p)),
);

// Strings made mostly of the grammar's own punctuation reach deeper into the parser than random text.
const scopeish = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        'repo',
        'rpc',
        'blob',
        'account',
        'identity',
        'include',
        'atproto',
        'transition',
        'collection',
        'lxm',
        'aud',
        'action',
        'accept',
        'attr',
        'nsid',
      ),
      fc.constantFrom(
        ':',
        '?',
        '&',
        '=',
        '%',
        '%23',
        '%2',
        '#',
        '*',
        '/',
        '.',
        '+',
        'a.b.c',
        'did:web:x.example',
        'email',
        'manage',
        '*/*',
        ' ',
        '\t',
        'é',
        '"',
        '\\',
      ),
    ),
    { maxLength: 12 },
  )
  .map((parts) => parts.join(''));

describe('properties (fast-check)', () => {
  it('format ∘ parse is idempotent for generated valid permissions, and the meaning survives', () => {
    fc.assert(
      fc.property(permission, (p) => {
        const s = formatScope(p);
        const r = parseScope(s);
        expect(r.ok).toBe(true);
        if (!r.ok) return;
        expect(r.canonical).toBe(s);
        expect(formatScope(r.permission)).toBe(s);
        // The canonical form is a valid OAuth scope token (SCOPE-03).
        expect(s).toMatch(/^[\x21\x23-\x5b\x5d-\x7e]+$/);
      }),
      { numRuns: 2000 },
    );
  });

  it('PERM-SYN-05: the all-named form with shuffled parameters is equivalent to the canonical form', () => {
    fc.assert(
      fc.property(
        permission.filter((p) => p.resource !== 'atproto' && p.resource !== 'transition'),
        fc.integer(),
        (p, seed) => {
          const canonical = formatScope(p);
          const parsed = parseScope(canonical);
          if (!parsed.ok) throw new Error(parsed.reason);
          const entries: [string, string][] = [];
          for (const [k, v] of Object.entries(parsed.permission)) {
            if (k === 'resource' || v === undefined) continue;
            for (const item of Array.isArray(v) ? v : [v]) entries.push([k, item]);
          }
          // deterministic shuffle
          const shuffled = entries
            .map((e, i) => [e, (Math.imul(i + 1, 2654435761) ^ seed) >>> 0] as const)
            .sort((a, b) => a[1] - b[1])
            .map(([e]) => e);
          const named = `${p.resource}?${shuffled.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&')}`;
          expect(scopesEquivalent(named, canonical)).toBe(true);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('parse never throws on arbitrary strings; it returns ok or a typed invalid result', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'grapheme', maxLength: 60 }),
          fc.string({ unit: 'binary', maxLength: 60 }),
          scopeish,
        ),
        (s) => {
          const r = parseScope(s);
          if (r.ok) {
            const again = parseScope(r.canonical);
            expect(again.ok && again.canonical).toBe(r.canonical);
          } else {
            expect(['SCOPE_SYNTAX_INVALID', 'SCOPE_INVALID']).toContain(r.code);
            expect(r.reason.length).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('ScopeSet.parse never throws, and its toString() parses back to the same tokens', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(scopeish, permission.map(formatScope)), { maxLength: 8 }), (parts) => {
        const set = ScopeSet.parse(parts.join(' '));
        expect(ScopeSet.parse(set.toString()).tokens).toEqual(set.tokens);
        expect(set.tokens.length + set.unrecognised.length).toBeLessThanOrEqual(parts.join(' ').split(' ').length);
      }),
      { numRuns: 2000 },
    );
  });
});
