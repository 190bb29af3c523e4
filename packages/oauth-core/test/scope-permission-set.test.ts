import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { expandPermissionSet, type IncludeScope, OAuthError, ScopeSet } from '../src/index.js';

// CC0: atproto-interop-tests lexicon/catalog/permission-set.json (see fixtures README).
const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/atproto-interop-tests/permission-set.json', import.meta.url), 'utf8'),
) as { id: string; defs: { main: { permissions: unknown[] } } };

// The same entries re-homed under com.example.calendar, so namespace authority lets most through.
const calendar = { ...fixture, id: 'com.example.calendar.authFull' };
const AUD = 'did:web:calendar.example.com#calendar_api';

describe('PERM-SET-03: a set only names NSIDs in its own group or below', () => {
  it('the CC0 example set deliberately crosses namespaces, so nothing of it is granted', () => {
    const include: IncludeScope = { resource: 'include', nsid: fixture.id };
    const { permissions, ignored } = expandPermissionSet(include, fixture);
    expect(permissions).toEqual([]);
    expect(ignored.map((i) => i.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(ignored[0]?.reason).toMatch(/outside the namespace of example\.lexicon\.permissionset \(PERM-SET-03\)/);
  });

  it('re-homed under com.example.calendar, entries under that group count and app.bsky.* does not', () => {
    const { permissions, ignored } = expandPermissionSet(
      { resource: 'include', nsid: calendar.id, aud: AUD },
      calendar,
    );
    expect(permissions).toEqual([
      {
        resource: 'repo',
        collection: ['com.example.calendar.event', 'com.example.calendar.rsvp'],
        action: ['create', 'delete'],
      },
      { resource: 'repo', collection: ['com.example.calendar.eventV2'], action: ['create'] },
      { resource: 'rpc', lxm: ['com.example.calendar.listEvents'], aud: '*' },
      { resource: 'rpc', lxm: ['com.example.calendar.listEvents'], aud: AUD },
    ]);
    expect(ignored.map((i) => i.index)).toEqual([1, 4]);
    expect(ignored[0]?.reason).toMatch(/app\.bsky\.feed\.post is outside the namespace/);
    expect(ignored[1]?.reason).toMatch(/may not be "\*" inside a permission set \(PERM-SET-02\)/);
  });

  it('siblings and parents are refused; deeper children are allowed', () => {
    const set = (permissions: unknown[]) => ({
      lexicon: 1,
      id: 'app.example.feed.authOnlyPost',
      defs: { main: { type: 'permission-set', permissions } },
    });
    const include: IncludeScope = { resource: 'include', nsid: 'app.example.feed.authOnlyPost' };
    const repo = (c: string) => ({ type: 'permission', resource: 'repo', collection: [c] });
    const r = expandPermissionSet(
      include,
      set([
        repo('app.example.feed.post'),
        repo('app.example.actor.profile'),
        repo('app.example.profile'),
        repo('app.example.feed.x.y'),
      ]),
    );
    expect(r.permissions.map((p) => (p.resource === 'repo' ? p.collection[0] : ''))).toEqual([
      'app.example.feed.post',
      'app.example.feed.x.y',
    ]);
    // A look-alike prefix is not a child group.
    expect(expandPermissionSet(include, set([repo('app.example.feedx.post')])).permissions).toEqual([]);
  });
});

describe('PERM-SET-02: inside sets only repo and rpc count; no wildcards; aud is * or inherited', () => {
  const include = (aud?: string): IncludeScope =>
    aud
      ? { resource: 'include', nsid: 'app.example.authFull', aud }
      : { resource: 'include', nsid: 'app.example.authFull' };
  const doc = (permissions: unknown[]) => ({
    lexicon: 1,
    id: 'app.example.authFull',
    defs: { main: { type: 'permission-set', permissions } },
  });

  it('blob, account and identity entries grant nothing', () => {
    const r = expandPermissionSet(
      include(),
      doc([
        { type: 'permission', resource: 'account', attr: 'email' },
        { type: 'permission', resource: 'blob', accept: ['*/*'] },
        { type: 'permission', resource: 'identity', attr: '*' },
      ]),
    );
    expect(r.permissions).toEqual([]);
    expect(r.ignored.every((i) => /PERM-SET-02/.test(i.reason))).toBe(true);
    const set = ScopeSet.parse('atproto include:app.example.authFull', {
      permissionSets: [doc([{ type: 'permission', resource: 'account', attr: 'email' }])],
    });
    expect(set.allows({ account: 'email' })).toBe(false);
  });

  it('rpc: inheritAud takes the include aud; with its own aud, or without an include aud, it is ignored', () => {
    const inherit = { type: 'permission', resource: 'rpc', lxm: ['app.example.getFeed'], inheritAud: true };
    const both = { ...inherit, aud: '*' };
    expect(expandPermissionSet(include(AUD), doc([inherit])).permissions).toEqual([
      { resource: 'rpc', lxm: ['app.example.getFeed'], aud: AUD },
    ]);
    expect(expandPermissionSet(include(), doc([inherit])).ignored[0]?.reason).toMatch(/has no aud/);
    expect(expandPermissionSet(include(AUD), doc([both])).ignored[0]?.reason).toMatch(/inheritAud together with aud/);
  });

  it('rpc: a DID aud, or no aud at all, is not allowed inside a set', () => {
    const withDid = { type: 'permission', resource: 'rpc', lxm: ['app.example.getFeed'], aud: AUD };
    const noAud = { type: 'permission', resource: 'rpc', lxm: ['app.example.getFeed'] };
    expect(expandPermissionSet(include(AUD), doc([withDid, noAud])).permissions).toEqual([]);
  });
});

describe('PERM-SET-04: a bad entry is ignored alone; the rest of the set still counts', () => {
  it('unknown resources, unexpected parameters and bad values drop only their entry', () => {
    const good = { type: 'permission', resource: 'repo', collection: ['app.example.post'] };
    const r = expandPermissionSet(
      { resource: 'include', nsid: 'app.example.authFull' },
      {
        lexicon: 1,
        id: 'app.example.authFull',
        defs: {
          main: {
            type: 'permission-set',
            permissions: [
              { type: 'permission', resource: 'space', space: 'x' },
              { ...good, maxRecords: 10 },
              { ...good, action: ['read'] },
              { ...good, action: [] },
              { type: 'permission', resource: 'rpc', lxm: ['app.example.x'], aud: '*', inheritAud: 'yes' },
              'repo:app.example.post',
              null,
              good,
            ],
          },
        },
      },
    );
    expect(r.permissions).toEqual([
      { resource: 'repo', collection: ['app.example.post'], action: ['create', 'update', 'delete'] },
    ]);
    expect(r.ignored.map((i) => i.index)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(r.ignored[1]?.reason).toMatch(/unexpected parameter "maxRecords"/);
  });

  it('a document that is not the named permission set is a typed error', () => {
    const include: IncludeScope = { resource: 'include', nsid: 'app.example.authFull' };
    for (const bad of [
      null,
      [],
      { id: 'app.example.other', defs: { main: { type: 'permission-set', permissions: [] } } },
      { id: 'app.example.authFull', defs: { main: { type: 'query' } } },
      { id: 'app.example.authFull', defs: { main: { type: 'permission-set' } } },
    ]) {
      expect(() => expandPermissionSet(include, bad)).toThrow(OAuthError);
    }
  });
});

describe('ScopeSet with resolved permission sets (PERM-INC-01 on the client)', () => {
  it('an expanded include grants what its set grants, and explain() names the include', () => {
    const set = ScopeSet.parse(`atproto include:com.example.calendar.authFull?aud=${encodeURIComponent(AUD)}`, {
      permissionSets: [calendar],
    });
    expect(set.allows({ repo: 'com.example.calendar.event', action: 'create' })).toBe(true);
    expect(set.allows({ repo: 'com.example.calendar.event', action: 'update' })).toBe(false);
    expect(set.allows({ repo: 'app.bsky.feed.post', action: 'create' })).toBe(false);
    expect(set.allows({ rpc: 'com.example.calendar.listEvents', aud: 'did:web:elsewhere.example#x' })).toBe(true);
    const e = set.explain({ repo: 'com.example.calendar.rsvp', action: 'delete' });
    expect(e.grantedBy).toEqual([
      'include:com.example.calendar.authFull?aud=did:web:calendar.example.com%23calendar_api',
    ]);
    expect(e.unexpandedIncludes).toEqual([]);
  });

  it('documents for other NSIDs are not used', () => {
    const set = ScopeSet.parse('atproto include:com.example.calendar.other', { permissionSets: [calendar] });
    expect(set.allows({ repo: 'com.example.calendar.event', action: 'create' })).toBe(false);
    expect(set.explain({ repo: 'com.example.calendar.event', action: 'create' }).message).toMatch(
      /include:com\.example\.calendar\.other may grant it/,
    );
  });
});
