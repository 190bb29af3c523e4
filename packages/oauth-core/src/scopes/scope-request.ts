import { normalizeMime } from './mime.js';
import { isValidNsid } from './nsid.js';
import type { AccountAction, AccountAttr, IdentityAttr, Permission, RepoAction } from './permission.js';
import { isServiceRef } from './service-ref.js';
import { writeScope } from './write-scope.js';

/**
 * What an app wants to do, as asked of `ScopeSet#allows`:
 * - `{ repo: 'app.relay.track', action: 'create' }` — write a record of that collection;
 * - `{ rpc: 'app.bsky.feed.getFeed', aud: 'did:web:api.bsky.app#bsky_appview' }` — call that method on that service;
 * - `{ blob: 'audio/mpeg' }` — upload a blob of that MIME type;
 * - `{ account: 'email', action: 'read' }` — `action` defaults to `read`;
 * - `{ identity: 'handle' }` — `'*'` asks for full DID-document control.
 */
export type ScopeRequest =
  | { readonly repo: string; readonly action: RepoAction }
  | { readonly rpc: string; readonly aud: string }
  | { readonly blob: string }
  | { readonly account: AccountAttr; readonly action?: AccountAction }
  | { readonly identity: IdentityAttr };

/** A request after validation, in the shape the matchers use. */
export type NormalizedRequest =
  | { readonly kind: 'repo'; readonly collection: string; readonly action: RepoAction }
  | { readonly kind: 'rpc'; readonly lxm: string; readonly aud: string }
  | { readonly kind: 'blob'; readonly mime: string }
  | { readonly kind: 'account'; readonly attr: AccountAttr; readonly action: AccountAction }
  | { readonly kind: 'identity'; readonly attr: IdentityAttr };

const ACTIONS = ['create', 'update', 'delete'];

/** Validates a request; a string result says what is malformed (a malformed request is never allowed). */
export function normalizeRequest(request: ScopeRequest): NormalizedRequest | string {
  const r = (request ?? {}) as Record<string, unknown>;
  if (typeof r.repo === 'string') {
    if (!isValidNsid(r.repo)) return `repo collection "${r.repo}" is not an NSID (PERM-NSID-01)`;
    if (!ACTIONS.includes(r.action as string)) return `repo action must be create, update or delete`;
    return { kind: 'repo', collection: r.repo, action: r.action as RepoAction };
  }
  if (typeof r.rpc === 'string') {
    if (!isValidNsid(r.rpc)) return `rpc method "${r.rpc}" is not an NSID (PERM-NSID-01)`;
    if (typeof r.aud !== 'string' || !isServiceRef(r.aud)) {
      return `rpc aud must be the service called, a DID with a service fragment, e.g. did:web:api.example.com#svc (PERM-RPC-01)`;
    }
    return { kind: 'rpc', lxm: r.rpc, aud: r.aud };
  }
  if (typeof r.blob === 'string') {
    const mime = normalizeMime(r.blob);
    return mime ? { kind: 'blob', mime } : `blob "${r.blob}" is not a MIME type like audio/mpeg (PERM-BLOB-01)`;
  }
  if (typeof r.account === 'string') {
    const action = r.action ?? 'read';
    if (r.account !== 'email' && r.account !== 'repo') return `account attr must be email or repo (PERM-ACCT-01)`;
    if (action !== 'read' && action !== 'manage') return `account action must be read or manage (PERM-ACCT-01)`;
    return { kind: 'account', attr: r.account, action };
  }
  if (typeof r.identity === 'string') {
    if (r.identity !== 'handle' && r.identity !== '*') return `identity attr must be handle or * (PERM-ID-01)`;
    return { kind: 'identity', attr: r.identity };
  }
  return 'a request names one of repo, rpc, blob, account or identity';
}

/** The narrowest permission that grants the request — what to ask for in a step-up authorization. */
export function neededPermission(req: NormalizedRequest): Permission {
  switch (req.kind) {
    case 'repo':
      return { resource: 'repo', collection: [req.collection], action: [req.action] };
    case 'rpc':
      return { resource: 'rpc', lxm: [req.lxm], aud: req.aud };
    case 'blob':
      return { resource: 'blob', accept: [req.mime] };
    case 'account':
      return { resource: 'account', attr: req.attr, action: req.action };
    case 'identity':
      return { resource: 'identity', attr: req.attr };
  }
}

/** Canonical string of {@link neededPermission}. */
export function neededScope(req: NormalizedRequest): string {
  return writeScope(neededPermission(req));
}
