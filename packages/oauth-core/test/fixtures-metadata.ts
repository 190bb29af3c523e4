// Known-good metadata documents the tests mutate one field at a time.
export const ISSUER = 'https://as.example.com';
export const PDS = 'https://pds.example.com';

export function goodAuthorizationServerMetadata(): Record<string, unknown> {
  return {
    issuer: ISSUER,
    authorization_endpoint: `${ISSUER}/oauth/authorize`,
    token_endpoint: `${ISSUER}/oauth/token`,
    pushed_authorization_request_endpoint: `${ISSUER}/oauth/par`,
    revocation_endpoint: `${ISSUER}/oauth/revoke`,
    response_types_supported: ['code'],
    grant_types_supported: ['authorization_code', 'refresh_token'],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: ['none', 'private_key_jwt'],
    token_endpoint_auth_signing_alg_values_supported: ['ES256'],
    scopes_supported: ['atproto', 'transition:generic'],
    dpop_signing_alg_values_supported: ['ES256'],
    authorization_response_iss_parameter_supported: true,
    require_pushed_authorization_requests: true,
    client_id_metadata_document_supported: true,
  };
}

export const CLIENT_ID = 'https://app.example.com/oauth-client-metadata.json';

export function goodWebClientMetadata(): Record<string, unknown> {
  return {
    client_id: CLIENT_ID,
    application_type: 'web',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    redirect_uris: ['https://app.example.com/callback'],
    scope: 'atproto repo:app.relay.track',
    dpop_bound_access_tokens: true,
    token_endpoint_auth_method: 'none',
    client_name: 'Relay test',
  };
}
