import { describe, expect, it } from 'vitest';
import { diffScopes, OAuthError, type ScopeExplanation, ScopeSet } from '../src/index.js';

const APPVIEW = 'did:web:api.bsky.app#bsky_appview';
const CHAT = 'did:web:api.bsky.chat#bsky_chat';

function thrown(fn: () => unknown): OAuthError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(OAuthError);
    return err as OAuthError;
  }
  throw new Error('expected an OAuthError');
}

describe('SCOPE-03: space-separated tokens of printable ASCII without space, ", \\', () => {
  it('splits on spaces; runs of spaces and leading/trailing spaces make no empty tokens', () => {
    const set = ScopeSet.parse('  atproto   repo:app.relay.track blob:audio/* ');
    expect(set.tokens).toEqual(['atproto', 'repo:app.relay.track', 'blob:audio/*']);
    expect(set.unrecognised).toEqual([]);
  });

  it.each([
    ['a double quote', 'repo:app.relay.track"'],
    ['a backslash', 'blob:audio\\/*'],
    ['a tab (not a separator)', 'atproto\trepo:app.relay.track'],
    ['a newline', 'atproto\nrepo:app.relay.track'],
    ['non-ASCII', 'repo:app.relay.trâck'],
  ])('a token with %s is kept aside as SCOPE_SYNTAX_INVALID, not granted', (_name, token) => {
    const set = ScopeSet.parse(`atproto ${token}`);
    expect(set.tokens).toEqual(['atproto']);
    expect(set.unrecognised).toHaveLength(1);
    expect(set.unrecognised[0]).toMatchObject({ token, code: 'SCOPE_SYNTAX_INVALID' });
    expect(set.unrecognised[0]?.reason).toMatch(/SCOPE-03/);
    expect(set.allows({ repo: 'app.relay.track', action: 'create' })).toBe(false);
  });

  it('an empty scope is an empty set', () => {
    expect(ScopeSet.parse('').size).toBe(0);
    expect(ScopeSet.parse('').toString()).toBe('');
  });
});

describe('ScopeSet: tokens, has, toString', () => {
  it('keeps canonical recognised tokens in first-seen order, de-duplicated by meaning', () => {
    const set = ScopeSet.parse(
      'atproto account?action=manage&attr=repo repo:app.relay.track account:repo?action=manage openid openid',
    );
    expect(set.tokens).toEqual(['atproto', 'account:repo?action=manage', 'repo:app.relay.track']);
    expect(set.permissions.map((p) => p.resource)).toEqual(['atproto', 'account', 'repo']);
    expect(set.unrecognised.map((u) => [u.token, u.code])).toEqual([['openid', 'SCOPE_INVALID']]);
    expect(set.toString()).toBe('atproto account:repo?action=manage repo:app.relay.track');
    expect([...set]).toEqual(set.tokens);
    expect(set.size).toBe(3);
  });

  it('accepts an array of tokens', () => {
    expect(ScopeSet.parse(['atproto', 'blob:audio/*']).toString()).toBe('atproto blob:audio/*');
  });

  it('has() is membership by meaning, not permission: a broader grant does not "have" a narrower token', () => {
    const set = ScopeSet.parse('atproto repo:* openid');
    expect(set.has('atproto')).toBe(true);
    expect(set.has('repo?collection=*')).toBe(true);
    expect(set.has('repo:app.relay.track')).toBe(false);
    expect(set.has('openid')).toBe(true); // unrecognised tokens are found by their text
    expect(set.has('transition:generic')).toBe(false);
  });

  it('the result is frozen', () => {
    const set = ScopeSet.parse('atproto');
    expect(Object.isFrozen(set.tokens)).toBe(true);
    expect(Object.isFrozen(set.permissions)).toBe(true);
    expect(Object.isFrozen(set.unrecognised)).toBe(true);
  });
});

describe('SCOPE-04: transition:generic ≈ app-password level, without account/identity management and chat', () => {
  const set = ScopeSet.parse('atproto transition:generic');

  it('allows writing any record type with any action', () => {
    expect(set.allows({ repo: 'app.bsky.feed.post', action: 'create' })).toBe(true);
    expect(set.allows({ repo: 'app.relay.track', action: 'delete' })).toBe(true);
  });

  it('allows uploading any blob', () => {
    expect(set.allows({ blob: 'audio/mpeg' })).toBe(true);
    expect(set.allows({ blob: 'application/octet-stream' })).toBe(true);
  });

  it('allows rpc to non-chat Lexicons on any service', () => {
    expect(set.allows({ rpc: 'app.bsky.feed.getTimeline', aud: APPVIEW })).toBe(true);
    expect(set.allows({ rpc: 'app.relay.catalog.search', aud: 'did:web:relay.example#relay_api' })).toBe(true);
  });

  it('refuses chat.bsky.* (any capitalisation of the authority)', () => {
    expect(set.allows({ rpc: 'chat.bsky.convo.sendMessage', aud: CHAT })).toBe(false);
    expect(set.allows({ rpc: 'Chat.Bsky.convo.sendMessage', aud: CHAT })).toBe(false);
  });

  it('refuses account and identity: changing email, migrating the repo, changing the handle', () => {
    expect(set.allows({ account: 'email', action: 'manage' })).toBe(false);
    expect(set.allows({ account: 'email', action: 'read' })).toBe(false);
    expect(set.allows({ account: 'repo', action: 'manage' })).toBe(false);
    expect(set.allows({ identity: 'handle' })).toBe(false);
    expect(set.allows({ identity: '*' })).toBe(false);
  });

  it('atproto alone grants nothing beyond authentication (SCOPE-07)', () => {
    const auth = ScopeSet.parse('atproto');
    expect(auth.allows({ repo: 'app.bsky.feed.post', action: 'create' })).toBe(false);
    expect(auth.allows({ blob: 'image/png' })).toBe(false);
    expect(auth.allows({ rpc: 'app.bsky.feed.getTimeline', aud: APPVIEW })).toBe(false);
  });
});

describe('SCOPE-05: transition:chat.bsky unlocks chat.bsky.* only with transition:generic', () => {
  it('alone it gives no chat access', () => {
    expect(ScopeSet.parse('atproto transition:chat.bsky').allows({ rpc: 'chat.bsky.convo.getLog', aud: CHAT })).toBe(
      false,
    );
  });

  it('with transition:generic it does', () => {
    const set = ScopeSet.parse('atproto transition:generic transition:chat.bsky');
    expect(set.allows({ rpc: 'chat.bsky.convo.getLog', aud: CHAT })).toBe(true);
    expect(set.explain({ rpc: 'chat.bsky.convo.getLog', aud: CHAT }).grantedBy).toEqual(['transition:chat.bsky']);
  });

  it('a granular rpc permission for chat works without any transitional scope', () => {
    const set = ScopeSet.parse(`atproto rpc:chat.bsky.convo.getLog?aud=${encodeURIComponent(CHAT)}`);
    expect(set.allows({ rpc: 'chat.bsky.convo.getLog', aud: CHAT })).toBe(true);
  });
});

describe('SCOPE-06: transition:email lets the app read the email (client side of it)', () => {
  it('reads, never manages', () => {
    const set = ScopeSet.parse('atproto transition:email');
    expect(set.allows({ account: 'email' })).toBe(true);
    expect(set.allows({ account: 'email', action: 'manage' })).toBe(false);
    expect(set.allows({ account: 'repo', action: 'read' })).toBe(false);
    expect(set.allows({ repo: 'app.bsky.feed.post', action: 'create' })).toBe(false);
  });
});

describe('explain() and assertAllows(): why a request is refused, for SCOPE_NOT_GRANTED', () => {
  const requested = 'atproto repo:app.relay.track blob:audio/*';
  const granted = ScopeSet.parse('atproto blob:audio/*');

  it('names the granting tokens when allowed', () => {
    const e = ScopeSet.parse('atproto transition:generic blob:audio/*').explain({ blob: 'audio/mpeg' });
    expect(e.allowed).toBe(true);
    expect(e.grantedBy).toEqual(['transition:generic', 'blob:audio/*']);
    expect(e.message).toBe('blob upload of audio/mpeg is granted by transition:generic, blob:audio/*');
  });

  it('says "requested but not granted" when the user or server narrowed the grant', () => {
    const e = granted.explain({ repo: 'app.relay.track', action: 'create' }, { requested });
    expect(e.allowed).toBe(false);
    expect(e.grantedBy).toEqual([]);
    expect(e.requestedBy).toEqual(['repo:app.relay.track']);
    expect(e.needed).toBe('repo:app.relay.track?action=create');
    expect(e.message).toMatch(/was requested \(repo:app\.relay\.track\) but not granted/);
  });

  it('says what to add when it was never requested', () => {
    const e = granted.explain({ rpc: 'app.bsky.feed.getTimeline', aud: APPVIEW }, { requested });
    expect(e.requestedBy).toEqual([]);
    expect(e.needed).toBe('rpc:app.bsky.feed.getTimeline?aud=did:web:api.bsky.app%23bsky_appview');
    expect(e.message).toMatch(/add rpc:app\.bsky\.feed\.getTimeline\?aud=.* to the requested scope/);
    expect(granted.explain({ account: 'email', action: 'manage' }).needed).toBe('account:email?action=manage');
    expect(granted.explain({ identity: '*' }).needed).toBe('identity:*');
    expect(granted.explain({ blob: 'Video/MP4' }).needed).toBe('blob:video/mp4');
  });

  it('reports a malformed request instead of a missing grant', () => {
    const e = granted.explain({ repo: 'com.example.*', action: 'create' });
    expect(e).toMatchObject({ allowed: false, needed: undefined });
    expect(e.invalidRequest).toMatch(/not an NSID/);
    expect(thrown(() => granted.assertAllows({ repo: 'com.example.*', action: 'create' })).code).toBe('SCOPE_INVALID');
  });

  it('assertAllows throws SCOPE_NOT_GRANTED carrying the explanation, and passes when granted', () => {
    const err = thrown(() => granted.assertAllows({ repo: 'app.relay.track', action: 'create' }, { requested }));
    expect(err.code).toBe('SCOPE_NOT_GRANTED');
    expect(err.message).toMatch(/re-authorize asking for repo:app\.relay\.track\?action=create/);
    expect((err.details as ScopeExplanation).needed).toBe('repo:app.relay.track?action=create');
    expect(() => granted.assertAllows({ blob: 'audio/flac' })).not.toThrow();
  });

  it('a request object naming no resource is refused, not allowed', () => {
    expect(granted.allows({} as never)).toBe(false);
    expect(granted.allows(null as never)).toBe(false);
  });
});

describe('TOKEN-SCOPE-02: requested-vs-granted differences are visible', () => {
  it('diffScopes lists what was requested but not granted, and what was granted unasked', () => {
    expect(
      diffScopes('atproto repo:app.relay.track blob:audio/* account:email', 'atproto blob:audio/* transition:email'),
    ).toEqual({ missing: ['repo:app.relay.track', 'account:email'], extra: ['transition:email'] });
  });

  it('compares by meaning, so a reordered or renamed-form grant is not a difference', () => {
    expect(
      ScopeSet.diff(
        'atproto account:repo?action=manage rpc:app.x.y?aud=did:web:a.example%23svc',
        'rpc?aud=did:web:a.example%23svc&lxm=app.x.y atproto account?attr=repo&action=manage',
      ),
    ).toEqual({ missing: [], extra: [] });
  });

  it('unrecognised tokens take part by their text', () => {
    expect(diffScopes('atproto openid', 'atproto')).toEqual({ missing: ['openid'], extra: [] });
    expect(diffScopes(ScopeSet.parse('atproto'), ScopeSet.parse('atproto profile'))).toEqual({
      missing: [],
      extra: ['profile'],
    });
  });
});

describe('de-duplication', () => {
  it('repeats by text and by meaning collapse; unrecognised repeats are listed once', () => {
    const set = ScopeSet.parse(
      'atproto repo:a.b.c openid repo?collection=a.b.c atproto openid repo:a.b.c?action=create',
    );
    expect(set.tokens).toEqual(['atproto', 'repo:a.b.c', 'repo:a.b.c?action=create']);
    expect(set.unrecognised.map((u) => u.token)).toEqual(['openid']);
    expect(diffScopes(set, set)).toEqual({ missing: [], extra: [] });
  });
});
