/** `repo` record operations (PERM-REPO-02). */
export type RepoAction = 'create' | 'update' | 'delete';
/** `account` attributes (PERM-ACCT-01). */
export type AccountAttr = 'email' | 'repo';
/** `account` degrees of control; `manage` implies `read` (PERM-ACCT-01). */
export type AccountAction = 'read' | 'manage';
/** `identity` attributes; `*` is full control of the DID document and handle (PERM-ID-01). */
export type IdentityAttr = 'handle' | '*';
/** The transitional scopes (SCOPE-04..06). */
export type TransitionScope = 'generic' | 'chat.bsky' | 'email';

export const REPO_ACTIONS: readonly RepoAction[] = Object.freeze(['create', 'update', 'delete']);

/** Write access to records: collection NSIDs or `['*']`; `action` is never empty (absent = all three). */
export interface RepoPermission {
  readonly resource: 'repo';
  readonly collection: readonly string[];
  readonly action: readonly RepoAction[];
}
/** Service calls (proxied or via getServiceAuth): lxm NSIDs or `['*']`, `aud` is `*` or `did…#service`. */
export interface RpcPermission {
  readonly resource: 'rpc';
  readonly lxm: readonly string[];
  readonly aud: string;
}
/** Blob uploads whose MIME type matches one of `accept` (`type/subtype`, `type/*`, `*\/*`). */
export interface BlobPermission {
  readonly resource: 'blob';
  readonly accept: readonly string[];
}
/** Account attributes: `email` or `repo`, `read` (default) or `manage`, which implies `read` (PERM-ACCT-01). */
export interface AccountPermission {
  readonly resource: 'account';
  readonly attr: AccountAttr;
  readonly action: AccountAction;
}
/** Identity control: `handle` or `*` (the whole DID document and handle, PERM-ID-01). */
export interface IdentityPermission {
  readonly resource: 'identity';
  readonly attr: IdentityAttr;
}
/** A reference to a permission set; grants nothing until the set is resolved and expanded. */
export interface IncludeScope {
  readonly resource: 'include';
  readonly nsid: string;
  readonly aud?: string;
}
/** `atproto`: required in every atproto session (SCOPE-01). */
export interface AtprotoScope {
  readonly resource: 'atproto';
}
/** `transition:generic`, `transition:chat.bsky`, `transition:email`. */
export interface TransitionalScope {
  readonly resource: 'transition';
  readonly name: TransitionScope;
}

/** Every scope token this package understands, as data. `resource` is the discriminant. */
export type Permission =
  | AtprotoScope
  | TransitionalScope
  | RepoPermission
  | RpcPermission
  | BlobPermission
  | AccountPermission
  | IdentityPermission
  | IncludeScope;
