import { OAuthError } from '../errors.js';
import type { ClientMetadata } from './client-metadata-schema.js';

/** LOOPBACK-03: the redirect URIs an `http://localhost` client gets when it names none. */
export const DEFAULT_LOOPBACK_REDIRECT_URIS = ['http://127.0.0.1/', 'http://[::1]/'] as const;

/** Is this the ATProto development client id form `http://localhost[/][?…]`? (LOOPBACK-02) */
export function isLoopbackClientId(clientId: string): boolean {
  // Any http://localhost… form counts, so a malformed one (a port, a path) is judged by the loopback
  // rules (LOOPBACK-02) instead of being fetched as if it were a metadata URL.
  const url = URL.canParse(clientId) ? new URL(clientId) : undefined;
  return url?.protocol === 'http:' && url.hostname === 'localhost';
}

/** A loopback redirect URI: `http`, host `127.0.0.1` or `[::1]` (REDIRECT-06: not the name `localhost`). */
export function loopbackRedirectProblem(uri: string): string | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return 'is not a URL';
  }
  if (url.protocol !== 'http:') return 'must use http';
  if (url.hostname === 'localhost') return 'must use the IP literal 127.0.0.1 or [::1], not "localhost" (REDIRECT-06)';
  if (url.hostname !== '127.0.0.1' && url.hostname !== '[::1]') return 'must be on 127.0.0.1 or [::1]';
  if (url.hash) return 'must not contain a fragment';
  return undefined;
}

function invalid(message: string): OAuthError {
  return new OAuthError('CLIENT_METADATA_INVALID', message);
}

/**
 * Options for {@link buildLoopbackClientId}: the redirect URIs and scope encoded into an
 * `http://localhost` development client id (LOOPBACK-03).
 *
 * @example
 * ```ts
 * const clientId = buildLoopbackClientId({ redirectUris: ['http://127.0.0.1:3000/callback'], scope: 'atproto transition:generic' });
 * ```
 */
export interface LoopbackClientOptions {
  /** Loopback redirect URIs (127.0.0.1 or [::1], any port). Default: the two LOOPBACK-03 defaults. */
  redirectUris?: readonly string[];
  /** Space-separated scope; must include `atproto`. Default `atproto`. */
  scope?: string;
}

/**
 * Builds a development `client_id` (LOOPBACK-02/03): `http://localhost` with the redirect URIs and
 * scope in its query. No metadata needs hosting; the authorization server derives it.
 */
export function buildLoopbackClientId(options: LoopbackClientOptions = {}): string {
  const params = new URLSearchParams();
  for (const uri of options.redirectUris ?? []) {
    const problem = loopbackRedirectProblem(uri);
    if (problem) throw invalid(`Loopback redirect_uri "${uri}" ${problem}.`);
    params.append('redirect_uri', uri);
  }
  if (options.scope !== undefined) {
    if (!options.scope.split(' ').includes('atproto')) {
      throw invalid(`Loopback client scope "${options.scope}" must include "atproto" (META-CLIENT-07).`);
    }
    params.set('scope', options.scope);
  }
  const query = params.toString().replace(/\+/g, '%20');
  return query ? `http://localhost?${query}` : 'http://localhost';
}

/**
 * The virtual metadata document of a loopback client id (LOOPBACK-04), exactly as an
 * authorization server derives it. Throws `CLIENT_METADATA_INVALID` for a malformed id.
 */
export function loopbackClientMetadata(clientId: string): ClientMetadata {
  let url: URL;
  try {
    url = new URL(clientId);
  } catch {
    throw invalid(`"${clientId}" is not a URL.`);
  }
  // LOOPBACK-02: http, host exactly "localhost", no port, path empty or "/".
  if (url.protocol !== 'http:' || url.hostname !== 'localhost' || url.port !== '' || url.username || url.password) {
    throw invalid(`"${clientId}" is not a loopback client id: it must start with http://localhost (no port).`);
  }
  if (url.pathname !== '/' || url.hash) {
    throw invalid(`"${clientId}" must have an empty path (or "/") and no fragment (LOOPBACK-02).`);
  }
  // LOOPBACK-03: only redirect_uri (repeatable) and scope (at most once).
  for (const key of new Set(url.searchParams.keys())) {
    if (key !== 'redirect_uri' && key !== 'scope') {
      throw invalid(`Loopback client id has an unknown parameter "${key}"; only redirect_uri and scope are allowed.`);
    }
  }
  const scopes = url.searchParams.getAll('scope');
  if (scopes.length > 1) throw invalid('Loopback client id has more than one "scope" parameter (LOOPBACK-03).');
  const scope = scopes[0] ?? 'atproto';
  const redirectUris = url.searchParams.getAll('redirect_uri');
  for (const uri of redirectUris) {
    const problem = loopbackRedirectProblem(uri);
    if (problem) throw invalid(`Loopback redirect_uri "${uri}" ${problem}.`);
  }
  return {
    client_id: clientId,
    application_type: 'native',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    redirect_uris: redirectUris.length > 0 ? redirectUris : [...DEFAULT_LOOPBACK_REDIRECT_URIS],
    scope,
    dpop_bound_access_tokens: true,
    // LOOPBACK-06: a localhost client is always public.
    token_endpoint_auth_method: 'none',
  };
}
