export {
  type AuthorizeOptions,
  type CallbackResult,
  OAuthClient,
  type OAuthClientOptions,
  type SessionDeletedCause,
} from './client/oauth-client.js';
export { OAuthSession } from './client/oauth-session.js';
export type { ClientAuthMethod, PendingAuthorization, SessionTokens, StoredSession } from './client/records.js';
export { type ValidatedTokenResponse, validateTokenResponse } from './client/token-response.js';
export { type BuildClientMetadataInput, buildClientMetadata } from './client-metadata/build-client-metadata.js';
export {
  type CheckClientMetadataOptions,
  type ClientKind,
  type ClientMetadataCheck,
  checkClientId,
  checkClientMetadata,
  validateClientMetadata,
} from './client-metadata/check-client-metadata.js';
export { type ClientMetadata, clientMetadataSchema } from './client-metadata/client-metadata-schema.js';
export { type DoctorOptions, type DoctorReport, doctor } from './client-metadata/doctor.js';
export {
  buildLoopbackClientId,
  DEFAULT_LOOPBACK_REDIRECT_URIS,
  isLoopbackClientId,
  type LoopbackClientOptions,
  loopbackClientMetadata,
} from './client-metadata/loopback-client.js';
export {
  MetadataResolver,
  type MetadataResolverOptions,
  type ResolveOptions as MetadataResolveOptions,
} from './discovery/metadata-resolver.js';
export { OAuthError, type OAuthErrorCode } from './errors.js';
export { type ClientKey, generateClientKey, Keyset, type PrivateClientJwk, type PublicClientJwk } from './keyset.js';
export { type Logger, silentLogger } from './logger.js';
export {
  type AuthorizationServerCheckOptions,
  type AuthorizationServerMetadata,
  authorizationServerMetadataSchema,
  checkAuthorizationServerMetadata,
  validateAuthorizationServerMetadata,
} from './metadata/authorization-server-metadata.js';
export {
  checkProtectedResourceMetadata,
  type ProtectedResourceCheckOptions,
  type ProtectedResourceMetadata,
  validateProtectedResourceMetadata,
} from './metadata/protected-resource-metadata.js';
export { assertRequestedScope } from './scopes/assert-requested-scope.js';
export { diffScopes } from './scopes/diff-scopes.js';
export { expandPermissionSet, type PermissionSetExpansion } from './scopes/expand-permission-set.js';
export { formatScope } from './scopes/format-scope.js';
export { parseScope, type ScopeParseResult } from './scopes/parse-scope.js';
export type {
  AccountAction,
  AccountAttr,
  AccountPermission,
  AtprotoScope,
  BlobPermission,
  IdentityAttr,
  IdentityPermission,
  IncludeScope,
  Permission,
  RepoAction,
  RepoPermission,
  RpcPermission,
  TransitionalScope,
  TransitionScope,
} from './scopes/permission.js';
export { scope } from './scopes/scope-builders.js';
export type { ScopeRequest } from './scopes/scope-request.js';
export {
  type ScopeDiff,
  type ScopeExplanation,
  ScopeSet,
  type ScopeSetOptions,
  type UnrecognisedScope,
} from './scopes/scope-set.js';
export { scopesEquivalent } from './scopes/scopes-equivalent.js';
export type {
  Clock,
  Fence,
  Lock,
  LockLease,
  LockOptions,
  SessionSetOptions,
  SessionStore,
  StateStore,
} from './stores/contracts.js';
export { MemoryLock } from './stores/memory-lock.js';
export { MemorySessionStore } from './stores/memory-session-store.js';
export { MemoryStateStore } from './stores/memory-state-store.js';
export {
  type EncryptionKey,
  type EncryptionOptions,
  RecordSealer,
  type StoreErrorClass,
} from './stores/record-sealer.js';
export type { OriginRules } from './util/url-checks.js';
export { formatViolations, type Violation } from './util/violation.js';
