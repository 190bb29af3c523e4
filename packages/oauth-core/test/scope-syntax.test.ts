import { describe, expect, it } from 'vitest';
import { parseScope, ScopeSet, scopesEquivalent } from '../src/index.js';
import { parseScopeSyntax } from '../src/scopes/scope-syntax.js';

// requirements.md §4.6 "Permission scope strings" (from atproto-Perm §Scope String Syntax and §resources).
const VALID = [
  'identity:*',
  'identity:*?',
  'rpc?lxm=*&aud=did:web:api.example.com%23svc_appview',
  'blob?accept=video/*&accept=text/html',
  'repo:app.example.profile?action=create&action=update&action=delete',
  'include:app.example.authFull?aud=did:web:api.example.com%23svc_chat',
  'repo:app.example.profile',
  'repo?collection=app.example.profile&collection=app.example.post',
  'repo:*',
  'repo:*?action=delete',
  'rpc:app.example.moderation.createReport?aud=*',
  'blob:*/*',
  'account:email',
  'account:repo?action=manage',
  'identity:handle',
  'include:com.example.authBasicFeatures?aud=did:web:api.example.com%23svc_appview',
];
const SEMANTICALLY_INVALID = [
  'resource',
  'resource:positional?key=val',
  'resource:positional&thing?key=val',
  'service:did:web:com.example#type?key=val',
  'resource:',
  'resource:?',
  'resource:&',
  'resource?',
];
const SYNTAX_INVALID = ['resource:positional?key=québec', 'emoji:☺️'];
const FORBIDDEN = ['repo:com.example.record?collection=com.example.other'];

describe('§4.6 permission scope string vectors', () => {
  it.each(VALID)('valid: %s parses to a permission', (token) => {
    const r = parseScope(token);
    expect(r.ok, r.ok ? '' : r.reason).toBe(true);
  });

  it.each(SEMANTICALLY_INVALID)(
    'PERM-SYN-06 syntax-OK but meaningless: %s is SCOPE_INVALID and grants nothing',
    (token) => {
      expect(parseScopeSyntax(token).ok).toBe(true);
      const r = parseScope(token);
      expect(r.ok).toBe(false);
      expect(!r.ok && r.code).toBe('SCOPE_INVALID');
      const set = ScopeSet.parse(`atproto ${token}`);
      expect(set.tokens).toEqual(['atproto']);
      expect(set.unrecognised.map((u) => u.token)).toEqual([token]);
    },
  );

  it.each(SYNTAX_INVALID)('PERM-SYN-01 syntax-invalid: %s is SCOPE_SYNTAX_INVALID', (token) => {
    const r = parseScope(token);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.code).toBe('SCOPE_SYNTAX_INVALID');
  });

  it.each(FORBIDDEN)('PERM-SYN-04 forbidden: %s (positional and named collection) is invalid', (token) => {
    const r = parseScope(token);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(/PERM-SYN-04/);
  });
});

describe('PERM-SYN-01: printable non-whitespace ASCII, case-sensitive', () => {
  it.each([
    ['tab', 'repo:app.example.post\t'],
    ['newline', 'repo:app.example.post\n'],
    ['space', 'repo:app.example.post x'],
    ['DEL', 'repo:app.example.post\u007f'],
    ['NUL', 'repo:\u0000'],
    ['non-ASCII in the resource', 'répo:app.example.post'],
    ['empty', ''],
  ])('%s is a syntax error', (_name, token) => {
    const r = parseScope(token);
    expect(!r.ok && r.code).toBe('SCOPE_SYNTAX_INVALID');
  });

  it('resource names are case-sensitive: REPO:… and Account:email are unknown resources', () => {
    expect(parseScope('REPO:app.example.post').ok).toBe(false);
    expect(parseScope('Account:email').ok).toBe(false);
    expect(parseScope('ATPROTO').ok).toBe(false);
  });

  it('a token with no resource name is a syntax error', () => {
    expect(!parseScope(':app.example.post').ok && parseScope(':x').ok === false).toBe(true);
    const r = parseScope('?aud=*');
    expect(!r.ok && r.code).toBe('SCOPE_SYNTAX_INVALID');
  });
});

describe('PERM-SYN-02: the positional part runs from the first ":" to the first "?"', () => {
  it('rpc:app.x.y?aud=… has positional app.x.y', () => {
    const r = parseScopeSyntax('rpc:app.x.y?aud=did:web:a.example%23svc');
    expect(r.ok && r.syntax.positional).toBe('app.x.y');
    expect(r.ok && r.syntax.params.get('aud')).toEqual(['did:web:a.example#svc']);
  });

  it('the positional part may contain ":" and "#" and is percent-decoded', () => {
    const r = parseScopeSyntax('service:did:web:com.example#type?key=val');
    expect(r.ok && r.syntax.resource).toBe('service');
    expect(r.ok && r.syntax.positional).toBe('did:web:com.example#type');
    const enc = parseScopeSyntax('blob:image%2Fpng');
    expect(enc.ok && enc.syntax.positional).toBe('image/png');
    expect(parseScope('blob:image%2Fpng').ok && parseScope('blob:image%2Fpng')).toMatchObject({
      permission: { resource: 'blob', accept: ['image/png'] },
    });
  });

  it('a ":" after the "?" belongs to the parameters, not the positional part', () => {
    const r = parseScopeSyntax('rpc?lxm=app.x.y&aud=did:web:a.example%23svc');
    expect(r.ok && r.syntax.positional).toBeUndefined();
    expect(r.ok && r.syntax.resource).toBe('rpc');
  });

  it('broken percent-encoding is a syntax error, not passed through', () => {
    for (const t of ['blob:image%2', 'blob:image%zzpng', 'repo?collection=a.b.c%', 'blob:%FF%FE/x']) {
      const r = parseScope(t);
      expect(!r.ok && r.code, t).toBe('SCOPE_SYNTAX_INVALID');
    }
  });
});

describe('PERM-SYN-03: params split on "&" then the first "=", percent-decoded, repeats make arrays', () => {
  it('blob?accept=video/*&accept=text/html gives accept = [text/html, video/*]', () => {
    const syn = parseScopeSyntax('blob?accept=video/*&accept=text/html');
    expect(syn.ok && syn.syntax.params.get('accept')).toEqual(['video/*', 'text/html']);
    const r = parseScope('blob?accept=video/*&accept=text/html');
    expect(r.ok && r.permission).toEqual({ resource: 'blob', accept: ['text/html', 'video/*'] });
  });

  it('only the first "=" splits name from value', () => {
    const syn = parseScopeSyntax('x?a=b=c');
    expect(syn.ok && syn.syntax.params.get('a')).toEqual(['b=c']);
  });

  it('an encoded "&" or "=" inside a value stays in the value', () => {
    const syn = parseScopeSyntax('x?a=1%262%3D3');
    expect(syn.ok && syn.syntax.params.get('a')).toEqual(['1&2=3']);
  });

  it('a parameter without "=" or an empty segment is a syntax error', () => {
    for (const t of ['repo:a.b.c?action', 'repo:a.b.c?action=create&&action=update', 'repo:a.b.c?=create']) {
      const r = parseScope(t);
      expect(!r.ok && r.code, t).toBe('SCOPE_SYNTAX_INVALID');
    }
  });

  it('"+" in a parameter reads as a space (as the reference server decodes it), so it grants nothing', () => {
    expect(parseScope('blob?accept=image/svg+xml').ok).toBe(false);
    expect(parseScope('blob?accept=image/svg%2Bxml').ok).toBe(true);
    // In the positional part only percent-decoding applies.
    expect(parseScope('blob:image/svg+xml').ok).toBe(true);
  });
});

describe('PERM-SYN-04: a positional parameter must not also be named', () => {
  it.each([
    'repo:com.example.record?collection=com.example.other',
    'account:email?attr=email',
    'rpc:app.x.y?lxm=app.x.z&aud=*',
    'identity:handle?attr=*',
    'include:app.example.set?nsid=app.example.set',
    'blob:image/*?accept=video/*',
  ])('%s is invalid', (token) => {
    const r = parseScope(token);
    expect(!r.ok && r.code).toBe('SCOPE_INVALID');
  });
});

describe('PERM-SYN-05: positional and named forms mean the same thing', () => {
  it('account:repo?action=manage ≡ account?action=manage&attr=repo', () => {
    expect(scopesEquivalent('account:repo?action=manage', 'account?action=manage&attr=repo')).toBe(true);
    const set = ScopeSet.parse('atproto account?action=manage&attr=repo');
    expect(set.has('account:repo?action=manage')).toBe(true);
    expect(set.toString()).toBe('atproto account:repo?action=manage');
  });

  it('parameter order, repetition order, percent-encoding and explicit defaults do not matter', () => {
    expect(
      scopesEquivalent('rpc:app.x.y?aud=did:web:a.example%23svc', 'rpc?aud=did:web:a.example%23svc&lxm=app.x.y'),
    ).toBe(true);
    expect(scopesEquivalent('repo?collection=a.b.c&collection=a.b.d', 'repo?collection=a.b.d&collection=a.b.c')).toBe(
      true,
    );
    expect(scopesEquivalent('repo:a.b.c', 'repo:a.b.c?action=delete&action=create&action=update')).toBe(true);
    expect(scopesEquivalent('account:email', 'account:email?action=read')).toBe(true);
    expect(scopesEquivalent('blob:image%2F*', 'blob:image/*')).toBe(true);
  });

  it('different permissions are not equivalent, and invalid tokens are equivalent to nothing', () => {
    expect(scopesEquivalent('account:email', 'account:email?action=manage')).toBe(false);
    expect(scopesEquivalent('repo:a.b.c', 'repo:a.b.c?action=create')).toBe(false);
    expect(scopesEquivalent('resource', 'resource')).toBe(false);
  });
});

describe('PERM-SYN-06: unknown resources, missing required params and junk grant nothing', () => {
  it.each([
    ['unknown resource', 'openid'],
    ['missing collection', 'repo'],
    ['missing collection, only action', 'repo?action=create'],
    ['missing aud', 'rpc:app.x.y'],
    ['missing accept', 'blob'],
    ['missing attr', 'account?action=manage'],
    ['empty positional', 'repo:'],
    ['empty positional before params', 'repo:?action=create'],
    ['atproto with junk', 'atproto:x'],
    ['atproto with params', 'atproto?x=y'],
    ['unknown transition', 'transition:everything'],
    ['transition with params', 'transition:generic?x=y'],
  ])('%s: %s', (_name, token) => {
    const r = parseScope(token);
    expect(!r.ok && r.code).toBe('SCOPE_INVALID');
    expect(ScopeSet.parse(token).size).toBe(0);
  });

  it('identity:*? (empty query) is valid', () => {
    const r = parseScope('identity:*?');
    expect(r.ok && r.canonical).toBe('identity:*');
  });
});

describe('PERM-SYN-07: a single-valued parameter given twice is invalid', () => {
  it.each([
    'account:email?action=read&action=manage',
    'rpc:app.x.y?aud=*&aud=did:web:a.example%23svc',
    'include:app.example.set?aud=did:web:a.example%23a&aud=did:web:a.example%23b',
    'account?attr=email&attr=repo',
  ])('%s', (token) => {
    const r = parseScope(token);
    expect(!r.ok && r.reason).toMatch(/PERM-SYN-07/);
  });

  it('multi-valued parameters may repeat', () => {
    expect(parseScope('repo:a.b.c?action=create&action=update').ok).toBe(true);
  });
});

describe('PERM-SYN-08: an unknown parameter name makes the permission invalid', () => {
  it.each([
    'repo:app.x.y?foo=bar',
    'rpc:app.x.y?aud=*&inheritAud=true',
    'blob:*/*?maxSize=10',
    'account:email?action=read&scope=all',
    'identity:handle?x=1',
    'include:app.example.set?x=1',
  ])('%s grants nothing', (token) => {
    const r = parseScope(token);
    expect(!r.ok && r.reason).toMatch(/PERM-SYN-08/);
    expect(ScopeSet.parse(`atproto ${token}`).allows({ repo: 'app.x.y', action: 'create' })).toBe(false);
  });

  it('a parameter named like an Object.prototype key is unknown, not special', () => {
    expect(parseScope('repo:app.x.y?__proto__=x').ok).toBe(false);
    expect(parseScope('repo:app.x.y?constructor=x').ok).toBe(false);
    expect(parseScope('toString:x').ok).toBe(false);
  });
});
