import { describe, expect, it } from 'vitest';
import { formatScope, OAuthError, type Permission, parseScope, ScopeSet, scope } from '../src/index.js';

const perm = (token: string): Permission => {
  const r = parseScope(token);
  if (!r.ok) throw new Error(`${token}: ${r.reason}`);
  return r.permission;
};
const reasonOf = (token: string): string => {
  const r = parseScope(token);
  if (r.ok) throw new Error(`${token} unexpectedly parsed`);
  return r.reason;
};
const codeOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(OAuthError);
    return (err as OAuthError).code;
  }
  throw new Error('expected an OAuthError');
};
const AUD = 'did:web:api.example.com#svc_appview';

describe('PERM-REPO-01: repo collection is NSIDs or "*", no partial wildcards', () => {
  it('repo:app.example.profile, the multi-collection named form and repo:* parse', () => {
    expect(perm('repo:app.example.profile')).toEqual({
      resource: 'repo',
      collection: ['app.example.profile'],
      action: ['create', 'update', 'delete'],
    });
    expect(perm('repo?collection=app.example.profile&collection=app.example.post')).toMatchObject({
      collection: ['app.example.post', 'app.example.profile'],
    });
    expect(perm('repo:*')).toMatchObject({ collection: ['*'] });
  });

  it.each(['repo:com.example.*', 'repo:*.example.post', 'repo:com.example', 'repo:app.example.3', 'repo'])(
    '%s is invalid',
    (token) => {
      expect(parseScope(token).ok).toBe(false);
    },
  );

  it('the reason for a partial wildcard says so', () => {
    expect(reasonOf('repo:com.example.*')).toMatch(/partial wildcards are not allowed.*PERM-REPO-01/);
  });

  it('"*" among other collections means all collections', () => {
    expect(perm('repo?collection=app.example.post&collection=*')).toMatchObject({ collection: ['*'] });
    expect(formatScope(perm('repo?collection=app.example.post&collection=*'))).toBe('repo:*');
  });

  it('matching: only the named collection is allowed; "*" allows any', () => {
    const set = ScopeSet.parse('atproto repo:app.example.profile');
    expect(set.allows({ repo: 'app.example.profile', action: 'create' })).toBe(true);
    expect(set.allows({ repo: 'app.example.post', action: 'create' })).toBe(false);
    expect(ScopeSet.parse('repo:*').allows({ repo: 'app.example.post', action: 'update' })).toBe(true);
  });
});

describe('PERM-REPO-02: repo action ⊆ {create, update, delete}, absent = all three', () => {
  it('repo:*?action=delete allows only deletes', () => {
    const set = ScopeSet.parse('repo:*?action=delete');
    expect(set.allows({ repo: 'app.example.post', action: 'delete' })).toBe(true);
    expect(set.allows({ repo: 'app.example.post', action: 'create' })).toBe(false);
    expect(set.allows({ repo: 'app.example.post', action: 'update' })).toBe(false);
  });

  it('no action parameter grants create, update and delete', () => {
    const set = ScopeSet.parse('repo:app.example.post');
    for (const action of ['create', 'update', 'delete'] as const) {
      expect(set.allows({ repo: 'app.example.post', action })).toBe(true);
    }
  });

  it.each(['repo:*?action=read', 'repo:*?action=', 'repo:*?action=Create', 'repo:*?action=create&action=write'])(
    '%s is invalid',
    (token) => {
      expect(reasonOf(token)).toMatch(/PERM-REPO-02/);
    },
  );

  it('actions are written in a fixed order, duplicates dropped, all three omitted', () => {
    expect(formatScope(perm('repo:a.b.c?action=delete&action=create&action=delete'))).toBe(
      'repo:a.b.c?action=create&action=delete',
    );
    expect(formatScope(perm('repo:a.b.c?action=update&action=delete&action=create'))).toBe('repo:a.b.c');
  });
});

describe('PERM-RPC-01: rpc lxm NSIDs or "*", aud "*" or DID#service, not both "*"', () => {
  it('rpc:app.example.moderation.createReport?aud=* and rpc?lxm=*&aud=did…%23svc parse', () => {
    expect(perm('rpc:app.example.moderation.createReport?aud=*')).toEqual({
      resource: 'rpc',
      lxm: ['app.example.moderation.createReport'],
      aud: '*',
    });
    expect(perm('rpc?lxm=*&aud=did:web:api.example.com%23svc_appview')).toEqual({
      resource: 'rpc',
      lxm: ['*'],
      aud: AUD,
    });
  });

  it('rpc:*?aud=* is forbidden', () => {
    expect(reasonOf('rpc:*?aud=*')).toMatch(/lxm=\* together with aud=\* is forbidden/);
    expect(parseScope('rpc?lxm=*&lxm=app.x.y&aud=*').ok).toBe(false);
  });

  it.each([
    ['no aud', 'rpc:app.x.y'],
    ['aud without fragment', 'rpc:app.x.y?aud=did:web:api.example.com'],
    ['aud with empty fragment', 'rpc:app.x.y?aud=did:web:api.example.com%23'],
    ['aud not a DID', 'rpc:app.x.y?aud=https://api.example.com%23svc'],
    ['aud with upper-case method', 'rpc:app.x.y?aud=did:WEB:api.example.com%23svc'],
    ['partial wildcard lxm', 'rpc:app.example.*?aud=*'],
  ])('%s: %s is invalid', (_name, token) => {
    expect(parseScope(token).ok).toBe(false);
  });

  it('matching: lxm and aud must both match; "*" matches any', () => {
    const set = ScopeSet.parse(`rpc:app.x.getThing?aud=${encodeURIComponent(AUD)} rpc:app.x.report?aud=*`);
    expect(set.allows({ rpc: 'app.x.getThing', aud: AUD })).toBe(true);
    expect(set.allows({ rpc: 'app.x.getThing', aud: 'did:web:other.example.com#svc_appview' })).toBe(false);
    expect(set.allows({ rpc: 'app.x.getOther', aud: AUD })).toBe(false);
    expect(set.allows({ rpc: 'app.x.report', aud: 'did:plc:ewvi7nxzyoun6zhxrhs64oiz#atproto_labeler' })).toBe(true);
    const anyMethod = ScopeSet.parse(`rpc:*?aud=${encodeURIComponent(AUD)}`);
    expect(anyMethod.allows({ rpc: 'app.x.anything', aud: AUD })).toBe(true);
    expect(anyMethod.allows({ rpc: 'app.x.anything', aud: 'did:web:x.example.com#svc_appview' })).toBe(false);
  });

  it('a request with a malformed aud is never allowed (the real service must be named)', () => {
    const set = ScopeSet.parse('rpc:app.x.report?aud=*');
    expect(set.allows({ rpc: 'app.x.report', aud: '*' })).toBe(false);
    expect(set.allows({ rpc: 'app.x.report', aud: 'did:web:api.example.com' })).toBe(false);
  });
});

describe('PERM-RPC-02: "#" in values is written %23; parsers decode either form', () => {
  it('the builder and the formatter write %23', () => {
    expect(scope.rpc('app.x.y', { aud: AUD })).toBe('rpc:app.x.y?aud=did:web:api.example.com%23svc_appview');
    expect(scope.include('app.example.authFull', { aud: 'did:web:api.example.com#svc_chat' })).toBe(
      'include:app.example.authFull?aud=did:web:api.example.com%23svc_chat',
    );
  });

  it('a raw "#" inside a parameter is decoded too (it is printable ASCII)', () => {
    expect(perm('rpc:app.x.y?aud=did:web:api.example.com#svc_appview')).toEqual(
      perm(scope.rpc('app.x.y', { aud: AUD })),
    );
  });

  it('"%" in a DID (did:web with a port) survives a round trip as %25', () => {
    const aud = 'did:web:localhost%3A2583#atproto_pds';
    const token = scope.rpc('app.x.y', { aud });
    expect(token).toBe('rpc:app.x.y?aud=did:web:localhost%253A2583%23atproto_pds');
    expect(perm(token)).toMatchObject({ aud });
  });
});

describe('PERM-BLOB-01: blob accept is MIME types or globs, required, repeatable', () => {
  it('blob:*/* and blob?accept=video/*&accept=text/html parse', () => {
    expect(perm('blob:*/*')).toEqual({ resource: 'blob', accept: ['*/*'] });
    expect(perm('blob?accept=video/*&accept=text/html')).toEqual({
      resource: 'blob',
      accept: ['text/html', 'video/*'],
    });
  });

  it.each(['blob', 'blob:audio', 'blob:*/mpeg', 'blob:audio/mp*', 'blob:au*/*', 'blob:audio/mpeg/x', 'blob:/mpeg'])(
    '%s is invalid',
    (token) => {
      expect(parseScope(token).ok).toBe(false);
    },
  );

  it('matching: exact types, type/* and */*; case-insensitive; MIME parameters ignored', () => {
    const set = ScopeSet.parse('blob:audio/* blob:image/png');
    expect(set.allows({ blob: 'audio/mpeg' })).toBe(true);
    expect(set.allows({ blob: 'Audio/FLAC' })).toBe(true);
    expect(set.allows({ blob: 'image/png' })).toBe(true);
    expect(set.allows({ blob: 'image/png; charset=binary' })).toBe(true);
    expect(set.allows({ blob: 'image/jpeg' })).toBe(false);
    expect(set.allows({ blob: 'video/mp4' })).toBe(false);
    expect(ScopeSet.parse('blob:*/*').allows({ blob: 'application/octet-stream' })).toBe(true);
  });

  it('a glob is not a MIME type to upload: a request for audio/* is malformed', () => {
    expect(ScopeSet.parse('blob:*/*').allows({ blob: 'audio/*' })).toBe(false);
  });

  it('"audio/*" does not cover "audiobook/x" (the prefix ends at the slash)', () => {
    expect(ScopeSet.parse('blob:audio/*').allows({ blob: 'audiobook/x' })).toBe(false);
  });
});

describe('PERM-ACCT-01: account attr email|repo, action read (default) | manage, manage ⇒ read', () => {
  it('account:email and account:repo?action=manage parse', () => {
    expect(perm('account:email')).toEqual({ resource: 'account', attr: 'email', action: 'read' });
    expect(perm('account:repo?action=manage')).toEqual({ resource: 'account', attr: 'repo', action: 'manage' });
  });

  it.each(['account:*', 'account:email?action=write', 'account:status', 'account'])('%s is invalid', (token) => {
    expect(parseScope(token).ok).toBe(false);
  });

  it('manage implies read; read does not imply manage; attrs are separate', () => {
    const manage = ScopeSet.parse('account:email?action=manage');
    expect(manage.allows({ account: 'email', action: 'read' })).toBe(true);
    expect(manage.allows({ account: 'email', action: 'manage' })).toBe(true);
    const read = ScopeSet.parse('account:email');
    expect(read.allows({ account: 'email', action: 'read' })).toBe(true);
    expect(read.allows({ account: 'email' })).toBe(true);
    expect(read.allows({ account: 'email', action: 'manage' })).toBe(false);
    expect(read.allows({ account: 'repo', action: 'read' })).toBe(false);
  });
});

describe('PERM-ID-01: identity attr handle | * (full control)', () => {
  it('identity:handle and identity:* parse; identity:email does not', () => {
    expect(perm('identity:handle')).toEqual({ resource: 'identity', attr: 'handle' });
    expect(perm('identity:*')).toEqual({ resource: 'identity', attr: '*' });
    expect(parseScope('identity:email').ok).toBe(false);
    expect(parseScope('identity').ok).toBe(false);
  });

  it('"*" covers handle; handle does not cover "*"', () => {
    expect(ScopeSet.parse('identity:*').allows({ identity: 'handle' })).toBe(true);
    expect(ScopeSet.parse('identity:*').allows({ identity: '*' })).toBe(true);
    expect(ScopeSet.parse('identity:handle').allows({ identity: 'handle' })).toBe(true);
    expect(ScopeSet.parse('identity:handle').allows({ identity: '*' })).toBe(false);
  });
});

describe('PERM-INC-01: include:<permission-set NSID> with an optional aud (DID#svc)', () => {
  it('include:app.example.authFull?aud=did:web:api.example.com%23svc_chat parses', () => {
    expect(perm('include:app.example.authFull?aud=did:web:api.example.com%23svc_chat')).toEqual({
      resource: 'include',
      nsid: 'app.example.authFull',
      aud: 'did:web:api.example.com#svc_chat',
    });
    expect(perm('include:app.example.authFull')).toEqual({ resource: 'include', nsid: 'app.example.authFull' });
  });

  it.each([
    'include',
    'include:app.example',
    'include:app.example.*',
    'include:app.example.authFull?aud=*',
    'include:app.example.authFull?aud=did:web:api.example.com',
  ])('%s is invalid', (token) => {
    expect(parseScope(token).ok).toBe(false);
  });

  it('without its expanded permission set, an include grants nothing on the client side', () => {
    const set = ScopeSet.parse('atproto include:app.example.authFull');
    expect(set.has('include:app.example.authFull')).toBe(true);
    expect(set.allows({ repo: 'app.example.post', action: 'create' })).toBe(false);
    expect(set.explain({ repo: 'app.example.post', action: 'create' }).unexpandedIncludes).toEqual([
      'include:app.example.authFull',
    ]);
  });
});

describe('formatScope: canonical strings', () => {
  it.each([
    ['rpc?aud=did:web:api.example.com%23svc&lxm=app.x.y', 'rpc:app.x.y?aud=did:web:api.example.com%23svc'],
    ['account?action=manage&attr=repo', 'account:repo?action=manage'],
    ['account:email?action=read', 'account:email'],
    ['identity:*?', 'identity:*'],
    ['blob?accept=image%2Fpng', 'blob:image/png'],
    ['blob?accept=video/*&accept=text/html&accept=video/*', 'blob?accept=text/html&accept=video/*'],
    ['blob?accept=image/*&accept=*/*', 'blob:*/*'],
    ['repo?collection=app.example.post', 'repo:app.example.post'],
    ['include?nsid=app.example.set', 'include:app.example.set'],
    ['transition:generic', 'transition:generic'],
    ['atproto', 'atproto'],
  ])('%s → %s', (input, canonical) => {
    const r = parseScope(input);
    expect(r.ok && r.canonical).toBe(canonical);
    expect(r.ok && formatScope(r.permission)).toBe(canonical);
  });

  it('refuses objects that are not valid permissions, instead of writing something broader', () => {
    expect(codeOf(() => formatScope({ resource: 'repo', collection: ['app.x.y'], action: [] }))).toBe('SCOPE_INVALID');
    expect(codeOf(() => formatScope({ resource: 'repo', collection: [], action: ['create'] }))).toBe('SCOPE_INVALID');
    expect(codeOf(() => formatScope({ resource: 'rpc', lxm: ['*'], aud: '*' }))).toBe('SCOPE_INVALID');
    expect(codeOf(() => formatScope({ resource: 'account', attr: 'status' as 'email', action: 'read' }))).toBe(
      'SCOPE_INVALID',
    );
    expect(codeOf(() => formatScope({ resource: 'nope' } as unknown as Permission))).toBe('SCOPE_INVALID');
    expect(codeOf(() => formatScope({ resource: 'toString' } as unknown as Permission))).toBe('SCOPE_INVALID');
  });
});
