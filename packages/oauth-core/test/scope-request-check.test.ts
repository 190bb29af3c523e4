import { describe, expect, it } from 'vitest';
import { assertRequestedScope, OAuthError, ScopeSet, scope } from '../src/index.js';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(OAuthError);
    return (err as OAuthError).code;
  }
  throw new Error('expected an OAuthError');
}

const DECLARED = 'atproto repo:app.relay.track blob:audio/* account:email transition:generic';

describe('SCOPE-01: every requested scope contains atproto', () => {
  it('a request without atproto is refused before the network', () => {
    expect(codeOf(() => assertRequestedScope('repo:app.relay.track', DECLARED))).toBe('SCOPE_ATPROTO_MISSING');
    expect(codeOf(() => assertRequestedScope('transition:generic', DECLARED))).toBe('SCOPE_ATPROTO_MISSING');
    expect(codeOf(() => assertRequestedScope('', DECLARED))).toBe('SCOPE_ATPROTO_MISSING');
    expect(codeOf(() => assertRequestedScope('   ', DECLARED))).toBe('SCOPE_ATPROTO_MISSING');
  });

  it('"atproto" must be its own token: atproto:x or ATPROTO do not count', () => {
    expect(codeOf(() => assertRequestedScope('ATPROTO', 'ATPROTO'))).toBe('SCOPE_ATPROTO_MISSING');
    expect(codeOf(() => assertRequestedScope('atproto:x', 'atproto:x'))).toBe('SCOPE_INVALID');
  });

  it('SCOPE-07: an authentication-only request of just "atproto" passes', () => {
    expect(assertRequestedScope('atproto', DECLARED).toString()).toBe('atproto');
  });
});

describe('CLIENT-PAR-04: the requested scope is a subset of the client metadata scope', () => {
  it('a subset passes and comes back parsed', () => {
    const set = assertRequestedScope('atproto blob:audio/* repo:app.relay.track', DECLARED);
    expect(set).toBeInstanceOf(ScopeSet);
    expect(set.tokens).toEqual(['atproto', 'blob:audio/*', 'repo:app.relay.track']);
  });

  it('equivalent spellings count as declared (PERM-SYN-05)', () => {
    expect(() =>
      assertRequestedScope('atproto account:email?action=read repo?collection=app.relay.track', DECLARED),
    ).not.toThrow();
  });

  it('an undeclared scope is refused with the list of what to add', () => {
    let err: OAuthError | undefined;
    try {
      assertRequestedScope('atproto transition:email repo:app.relay.track identity:handle', DECLARED);
    } catch (e) {
      err = e as OAuthError;
    }
    expect(err?.code).toBe('SCOPE_NOT_DECLARED');
    expect(err?.message).toMatch(/transition:email, identity:handle not declared.*CLIENT-PAR-04/);
    expect(err?.details).toEqual({ missing: ['transition:email', 'identity:handle'] });
  });

  it('a broader declared permission does not declare a narrower token (the AS compares tokens)', () => {
    expect(codeOf(() => assertRequestedScope('atproto repo:app.relay.track?action=create', DECLARED))).toBe(
      'SCOPE_NOT_DECLARED',
    );
  });

  it('tokens of resources this package does not know pass when declared, fail when not', () => {
    expect(() =>
      assertRequestedScope('atproto space:app.example.space', 'atproto space:app.example.space'),
    ).not.toThrow();
    expect(codeOf(() => assertRequestedScope('atproto openid', 'atproto'))).toBe('SCOPE_NOT_DECLARED');
  });
});

describe('SCOPE-03 at request time: malformed tokens are refused, not sent', () => {
  it.each([
    ['tab', 'atproto\trepo:app.relay.track'],
    ['non-ASCII', 'atproto repo:app.relay.trâck'],
    ['double quote', 'atproto "repo:app.relay.track"'],
    ['backslash', 'atproto blob:audio\\/mpeg'],
  ])('%s → SCOPE_SYNTAX_INVALID', (_name, requested) => {
    expect(codeOf(() => assertRequestedScope(requested, DECLARED))).toBe('SCOPE_SYNTAX_INVALID');
  });

  it('a known resource used wrongly → SCOPE_INVALID even when "declared"', () => {
    expect(codeOf(() => assertRequestedScope('atproto repo:com.example.*', 'atproto repo:com.example.*'))).toBe(
      'SCOPE_INVALID',
    );
    expect(codeOf(() => assertRequestedScope('atproto rpc:*?aud=*', 'atproto rpc:*?aud=*'))).toBe('SCOPE_INVALID');
  });
});

describe('builders emit canonical strings', () => {
  it('the demo scope', () => {
    expect(scope.join(scope.atproto, scope.repo('app.relay.track'), scope.blob('audio/*'))).toBe(
      'atproto repo:app.relay.track blob:audio/*',
    );
  });

  it('each resource', () => {
    expect(scope.repo('app.relay.track', { action: ['create'] })).toBe('repo:app.relay.track?action=create');
    expect(scope.repo(['app.relay.track', 'app.relay.album'], { action: 'delete' })).toBe(
      'repo?collection=app.relay.album&collection=app.relay.track&action=delete',
    );
    expect(scope.repo('*')).toBe('repo:*');
    expect(scope.rpc('app.bsky.feed.getTimeline', { aud: 'did:web:api.bsky.app#bsky_appview' })).toBe(
      'rpc:app.bsky.feed.getTimeline?aud=did:web:api.bsky.app%23bsky_appview',
    );
    expect(scope.rpc('app.example.moderation.createReport', { aud: '*' })).toBe(
      'rpc:app.example.moderation.createReport?aud=*',
    );
    expect(scope.blob(['video/*', 'text/html'])).toBe('blob?accept=text/html&accept=video/*');
    expect(scope.blob('image/svg+xml')).toBe('blob:image/svg%2Bxml');
    expect(scope.account('email')).toBe('account:email');
    expect(scope.account('repo', { action: 'manage' })).toBe('account:repo?action=manage');
    expect(scope.identity('handle')).toBe('identity:handle');
    expect(scope.identity('*')).toBe('identity:*');
    expect(scope.include('app.example.authFull')).toBe('include:app.example.authFull');
    expect(scope.transition('generic')).toBe('transition:generic');
    expect(scope.transition('chat.bsky')).toBe('transition:chat.bsky');
    expect(scope.transition('email')).toBe('transition:email');
  });

  it('every builder output parses back to itself', () => {
    const all = scope.join(
      scope.atproto,
      scope.repo(['a.b.c', 'a.b.d'], { action: ['update', 'create'] }),
      scope.rpc(['a.b.c', 'a.b.d'], { aud: 'did:plc:ewvi7nxzyoun6zhxrhs64oiz#atproto_labeler' }),
      scope.blob('image/svg+xml'),
      scope.include('a.b.set', { aud: 'did:web:x.example#svc' }),
    );
    expect(ScopeSet.parse(all).toString()).toBe(all);
    expect(ScopeSet.parse(all).unrecognised).toEqual([]);
  });

  it('invalid input throws SCOPE_INVALID with what to fix', () => {
    expect(codeOf(() => scope.repo('app.relay.*'))).toBe('SCOPE_INVALID');
    expect(codeOf(() => scope.repo('app.relay.track', { action: [] }))).toBe('SCOPE_INVALID');
    expect(codeOf(() => scope.repo('app.relay.track', { action: ['read' as 'create'] }))).toBe('SCOPE_INVALID');
    expect(codeOf(() => scope.rpc('*', { aud: '*' }))).toBe('SCOPE_INVALID');
    expect(codeOf(() => scope.rpc('app.x.y', { aud: 'did:web:api.example.com' }))).toBe('SCOPE_INVALID');
    expect(codeOf(() => scope.rpc('app.x.y', undefined as never))).toBe('SCOPE_INVALID');
    expect(codeOf(() => scope.blob('audio'))).toBe('SCOPE_INVALID');
    expect(codeOf(() => scope.blob([]))).toBe('SCOPE_INVALID');
    expect(codeOf(() => scope.account('status' as 'email'))).toBe('SCOPE_INVALID');
    expect(codeOf(() => scope.identity('email' as 'handle'))).toBe('SCOPE_INVALID');
    expect(codeOf(() => scope.include('app.example.authFull', { aud: '*' }))).toBe('SCOPE_INVALID');
    expect(codeOf(() => scope.transition('everything' as 'generic'))).toBe('SCOPE_INVALID');
    expect(() => scope.rpc('app.x.y', { aud: 'did:web:api.example.com' })).toThrow(/service fragment/);
  });

  it('join refuses unrecognised tokens (a typo must not become a silently ungranted scope)', () => {
    expect(codeOf(() => scope.join('atproto', 'repo:app.relay.trak*'))).toBe('SCOPE_INVALID');
    expect(codeOf(() => scope.join('atproto\tblob:*/*'))).toBe('SCOPE_SYNTAX_INVALID');
    expect(scope.join('atproto repo:a.b.c', ['repo?collection=a.b.c', 'atproto'])).toBe('atproto repo:a.b.c');
  });
});
