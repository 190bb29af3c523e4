import * as z from 'zod/mini';

const jwkSchema = z.looseObject({ kty: z.string(), kid: z.optional(z.string()), alg: z.optional(z.string()) });

/** A client metadata document (CIMD) as ATProto uses it. Unknown members are kept. */
export const clientMetadataSchema = z.looseObject({
  client_id: z.string(),
  application_type: z.optional(z.string()),
  grant_types: z.array(z.string()),
  response_types: z.array(z.string()),
  redirect_uris: z.array(z.string()),
  scope: z.string(),
  dpop_bound_access_tokens: z.optional(z.boolean()),
  token_endpoint_auth_method: z.optional(z.string()),
  token_endpoint_auth_signing_alg: z.optional(z.string()),
  jwks: z.optional(z.looseObject({ keys: z.array(jwkSchema) })),
  jwks_uri: z.optional(z.string()),
  client_name: z.optional(z.string()),
  client_uri: z.optional(z.string()),
  logo_uri: z.optional(z.string()),
  tos_uri: z.optional(z.string()),
  policy_uri: z.optional(z.string()),
});

/**
 * An OAuth client metadata document (the JSON served at the `client_id` URL), as parsed by
 * {@link clientMetadataSchema}. Build one with {@link buildClientMetadata} or
 * {@link loopbackClientMetadata}; check one with {@link checkClientMetadata}.
 *
 * @example
 * ```ts
 * app.get('/oauth-client-metadata.json', (c) => c.json(client.metadata satisfies ClientMetadata));
 * ```
 */
export type ClientMetadata = z.infer<typeof clientMetadataSchema>;
