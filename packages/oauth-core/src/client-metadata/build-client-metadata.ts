import type { Keyset } from '../keyset.js';
import { validateClientMetadata } from './check-client-metadata.js';
import type { ClientMetadata } from './client-metadata-schema.js';

/**
 * The fields {@link buildClientMetadata} turns into a validated client metadata document; the
 * fixed ATProto values (`dpop_bound_access_tokens`, grant and response types, the auth method) are
 * filled in for you.
 *
 * @example
 * ```ts
 * const metadata = buildClientMetadata({
 *   clientId: 'https://app.example.com/oauth-client-metadata.json',
 *   redirectUris: ['https://app.example.com/callback'],
 *   scope: 'atproto repo:app.relay.track',
 * });
 * ```
 */
export interface BuildClientMetadataInput {
  /** The https URL the document is served from (META-CLIENT-01). */
  clientId: string;
  /** `web` (default) or `native`. */
  applicationType?: 'web' | 'native';
  redirectUris: readonly string[];
  /** Every scope the client may ever request, including `atproto` (META-CLIENT-07). */
  scope: string;
  clientName?: string;
  clientUri?: string;
  logoUri?: string;
  tosUri?: string;
  policyUri?: string;
  /** Confidential client: its keys are published as `jwks` unless `jwksUri` is given. */
  keyset?: Keyset;
  /** Confidential client publishing its keys at a URL instead of inline. */
  jwksUri?: string;
}

/**
 * Builds a client metadata document and validates it against every ATProto rule before
 * returning it, so an app never serves a document an authorization server would refuse.
 * With a `keyset` (or `jwksUri`) the client is confidential (`private_key_jwt`, ES256).
 */
export function buildClientMetadata(input: BuildClientMetadataInput): ClientMetadata {
  const confidential = input.keyset !== undefined || input.jwksUri !== undefined;
  const doc: ClientMetadata = {
    client_id: input.clientId,
    application_type: input.applicationType ?? 'web',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    redirect_uris: [...input.redirectUris],
    scope: input.scope,
    dpop_bound_access_tokens: true,
    token_endpoint_auth_method: confidential ? 'private_key_jwt' : 'none',
    ...(confidential ? { token_endpoint_auth_signing_alg: 'ES256' } : {}),
    ...(input.jwksUri !== undefined
      ? { jwks_uri: input.jwksUri }
      : input.keyset
        ? { jwks: input.keyset.publicJwks }
        : {}),
    ...(input.clientName !== undefined ? { client_name: input.clientName } : {}),
    ...(input.clientUri !== undefined ? { client_uri: input.clientUri } : {}),
    ...(input.logoUri !== undefined ? { logo_uri: input.logoUri } : {}),
    ...(input.tosUri !== undefined ? { tos_uri: input.tosUri } : {}),
    ...(input.policyUri !== undefined ? { policy_uri: input.policyUri } : {}),
  };
  return validateClientMetadata(doc).metadata;
}
