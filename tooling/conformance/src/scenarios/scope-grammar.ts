import { type Scenario, webClientMetadata } from '../scenario.js';

type Vector = [id: string, scope: string];

// Well-formed permissions the client must be able to request as given.
const VALID: Vector[] = [
  ['PERM-SYN-01', 'repo:app.example.profile'],
  ['PERM-SYN-02', 'rpc:app.example.moderation.createReport?aud=*'],
  ['PERM-SYN-03', 'blob?accept=video/*&accept=text/html'],
  ['PERM-SYN-05', 'account:repo?action=manage'],
  ['PERM-SYN-05', 'account?action=manage&attr=repo'],
  ['PERM-REPO-01', 'repo?collection=app.example.profile&collection=app.example.post'],
  ['PERM-REPO-01', 'repo:*'],
  ['PERM-REPO-02', 'repo:*?action=delete'],
  ['PERM-RPC-01', 'rpc?lxm=*&aud=did:web:api.example.com%23svc_appview'],
  ['PERM-BLOB-01', 'blob:*/*'],
  ['PERM-ACCT-01', 'account:email'],
  ['PERM-ID-01', 'identity:handle'],
  ['PERM-ID-01', 'identity:*'],
  ['PERM-INC-01', 'include:app.example.authFull?aud=did:web:api.example.com%23svc_chat'],
  ['PERM-NSID-01', 'repo:com.example.fooBar'],
];

// Malformed permissions a client must never put on the wire.
const INVALID: Vector[] = [
  ['PERM-SYN-01', 'resource:positional?key=québec'],
  ['PERM-SYN-04', 'repo:com.example.record?collection=com.example.other'],
  ['PERM-SYN-07', 'account:email?action=read&action=manage'],
  ['PERM-REPO-01', 'repo:com.example.*'],
  ['PERM-REPO-01', 'repo'],
  ['PERM-REPO-02', 'repo:app.example.profile?action=read'],
  ['PERM-RPC-01', 'rpc:*?aud=*'],
  ['PERM-RPC-01', 'rpc:app.example.call'],
  ['PERM-RPC-01', 'rpc:app.example.call?aud=did:web:api.example.com'],
  ['PERM-BLOB-01', 'blob'],
  ['PERM-ACCT-01', 'account:*'],
  ['PERM-ACCT-01', 'account:email?action=write'],
  ['PERM-ID-01', 'identity:email'],
  ['PERM-INC-01', 'include:app.example.set?aud=did:web:api.example.com'],
  ['PERM-NSID-01', 'repo:com.example'],
  ['PERM-NSID-01', 'repo:com.example.3'],
];

/** Permission strings: requested verbatim when valid, refused before any traffic when not. */
export const scopeGrammar: Scenario = {
  id: 'scope-grammar',
  title: 'Granular permission strings: valid ones requested verbatim, malformed ones never sent',
  judges: [...new Set([...VALID, ...INVALID].map(([id]) => id))],
  async run(ctx) {
    await ctx.ready();
    for (const [id, perm] of VALID) {
      const scope = `atproto ${perm}`;
      const c = await ctx.configure({ metadata: webClientMetadata({ scope }) });
      ctx.reset();
      const a = c.refused ? c : await ctx.driver.authorize({ input: 'alice.test', scope });
      const sent = ctx.requests('par').find((p) => p.status === 201)?.form?.scope?.[0];
      ctx.check(
        id,
        !a.refused && sent === scope,
        `"${perm}" ${a.refused ? `was refused: ${a.message}` : `was sent as "${sent}"`}`,
      );
    }
    for (const [id, perm] of INVALID) {
      const scope = `atproto ${perm}`;
      ctx.reset();
      const before = ctx.traffic();
      const c = await ctx.configure({ metadata: webClientMetadata({ scope }) });
      const a = c.refused ? c : await ctx.driver.authorize({ input: 'alice.test', scope });
      ctx.check(
        id,
        a.refused && !ctx.requests('par').length && ctx.quietSince(before),
        `"${perm}" was sent to the authorization server`,
      );
    }
  },
};
