import * as z from 'zod/mini';
import { OAuthError } from '../errors.js';
import { bareOriginProblem, httpsUrlProblem, type OriginRules } from '../util/url-checks.js';
import { formatViolations, type Violation } from '../util/violation.js';

const stringList = z.optional(z.array(z.string()));

/** The members of RFC 8414 metadata that ATProto OAuth relies on; unknown members are kept (AS-META-16). */
export const authorizationServerMetadataSchema = z.looseObject({
  issuer: z.string(),
  authorization_endpoint: z.string(),
  token_endpoint: z.string(),
  pushed_authorization_request_endpoint: z.optional(z.string()),
  revocation_endpoint: z.optional(z.string()),
  response_types_supported: stringList,
  grant_types_supported: stringList,
  code_challenge_methods_supported: stringList,
  token_endpoint_auth_methods_supported: stringList,
  token_endpoint_auth_signing_alg_values_supported: stringList,
  scopes_supported: stringList,
  dpop_signing_alg_values_supported: stringList,
  authorization_response_iss_parameter_supported: z.optional(z.boolean()),
  require_pushed_authorization_requests: z.optional(z.boolean()),
  require_request_uri_registration: z.optional(z.boolean()),
  client_id_metadata_document_supported: z.optional(z.boolean()),
  protected_resources: stringList,
});

/**
 * An authorization server's RFC 8414 metadata after the ATProto profile checks (AS-META-01..14).
 *
 * @example
 * ```ts
 * const as = await resolver.getAuthorizationServerMetadata('https://bsky.social');
 * console.log(as.pushed_authorization_request_endpoint);
 * ```
 */
export type AuthorizationServerMetadata = z.infer<typeof authorizationServerMetadataSchema>;

/**
 * Options for {@link checkAuthorizationServerMetadata} and {@link validateAuthorizationServerMetadata}.
 *
 * @example
 * ```ts
 * const violations = checkAuthorizationServerMetadata(json, { expectedIssuer: 'https://bsky.social' });
 * ```
 */
export interface AuthorizationServerCheckOptions extends OriginRules {
  /** The issuer the document was fetched for; `issuer` must equal it exactly (AS-META-02). */
  expectedIssuer: string;
}

function shapeViolations(issues: readonly z.core.$ZodIssue[], idFor: (path: string) => string): Violation[] {
  return issues.map((i) => {
    const path = i.path.join('.');
    return { id: idFor(path), level: 'MUST', path, message: `has the wrong type or is missing (${i.message})` };
  });
}

/**
 * Every ATProto-profile violation in an authorization server's metadata (AS-META-01..14), as a
 * list. An empty list means the document may be used. Pure: no I/O.
 */
export function checkAuthorizationServerMetadata(
  input: unknown,
  options: AuthorizationServerCheckOptions,
): { metadata?: AuthorizationServerMetadata; violations: Violation[] } {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { violations: [{ id: 'AS-META-01', level: 'MUST', message: 'the body must be a JSON object' }] };
  }
  const parsed = authorizationServerMetadataSchema.safeParse(input);
  if (!parsed.success) {
    return {
      violations: shapeViolations(parsed.error.issues, (p) =>
        p === 'issuer' ? 'AS-META-02' : p.endsWith('endpoint') ? 'AS-META-03' : 'AS-META-01',
      ),
    };
  }
  const m = parsed.data;
  const v: Violation[] = [];
  const must = (id: string, ok: boolean, path: string, message: string) => {
    if (!ok) v.push({ id, level: 'MUST', path, message });
  };
  const rules: OriginRules = { allowHttpLoopback: options.allowHttpLoopback };

  // AS-META-02: issuer is a bare https origin, string-identical to the origin it was fetched from.
  const issuerProblem = bareOriginProblem(m.issuer, rules);
  must('AS-META-02', !issuerProblem, 'issuer', `"${m.issuer}" ${issuerProblem}`);
  must(
    'AS-META-02',
    m.issuer === options.expectedIssuer,
    'issuer',
    `"${m.issuer}" differs from the issuer it was fetched for, "${options.expectedIssuer}"`,
  );
  // AS-META-03 / CLIENT-PAR-01 / CLIENT-PAR-07: PAR is mandatory and endpoints are https.
  must(
    'AS-META-03',
    m.pushed_authorization_request_endpoint !== undefined,
    'pushed_authorization_request_endpoint',
    'is missing; ATProto requires PAR',
  );
  for (const key of ['authorization_endpoint', 'token_endpoint', 'pushed_authorization_request_endpoint'] as const) {
    const value = m[key];
    if (value === undefined) continue;
    const problem = httpsUrlProblem(value, rules);
    must(key === 'authorization_endpoint' ? 'CLIENT-PAR-07' : 'AS-META-03', !problem, key, `"${value}" ${problem}`);
  }
  if (m.revocation_endpoint !== undefined) {
    const problem = httpsUrlProblem(m.revocation_endpoint, rules);
    must('AS-META-03', !problem, 'revocation_endpoint', `"${m.revocation_endpoint}" ${problem}`);
  }
  const has = (list: string[] | undefined, x: string) => list?.includes(x) === true;
  must('AS-META-04', has(m.response_types_supported, 'code'), 'response_types_supported', 'must contain "code"');
  must(
    'AS-META-05',
    has(m.grant_types_supported, 'authorization_code') && has(m.grant_types_supported, 'refresh_token'),
    'grant_types_supported',
    'must contain "authorization_code" and "refresh_token"',
  );
  must(
    'AS-META-06',
    has(m.code_challenge_methods_supported, 'S256'),
    'code_challenge_methods_supported',
    'must contain "S256"',
  );
  must(
    'AS-META-07',
    has(m.token_endpoint_auth_methods_supported, 'none') &&
      has(m.token_endpoint_auth_methods_supported, 'private_key_jwt'),
    'token_endpoint_auth_methods_supported',
    'must contain "none" and "private_key_jwt"',
  );
  must(
    'AS-META-08',
    has(m.token_endpoint_auth_signing_alg_values_supported, 'ES256') &&
      !has(m.token_endpoint_auth_signing_alg_values_supported, 'none'),
    'token_endpoint_auth_signing_alg_values_supported',
    'must contain "ES256" and never "none"',
  );
  must('AS-META-09', has(m.scopes_supported, 'atproto'), 'scopes_supported', 'must contain "atproto"');
  must(
    'AS-META-10',
    m.authorization_response_iss_parameter_supported === true,
    'authorization_response_iss_parameter_supported',
    'must be true',
  );
  must(
    'AS-META-11',
    m.require_pushed_authorization_requests === true,
    'require_pushed_authorization_requests',
    'must be true',
  );
  must(
    'AS-META-12',
    has(m.dpop_signing_alg_values_supported, 'ES256'),
    'dpop_signing_alg_values_supported',
    'must contain "ES256"',
  );
  must(
    'AS-META-13',
    m.require_request_uri_registration !== false,
    'require_request_uri_registration',
    'must not be false',
  );
  must(
    'AS-META-14',
    m.client_id_metadata_document_supported === true,
    'client_id_metadata_document_supported',
    'must be true',
  );
  return { metadata: m, violations: v };
}

/** Like {@link checkAuthorizationServerMetadata} but throws `METADATA_INVALID` on any MUST violation. */
export function validateAuthorizationServerMetadata(
  input: unknown,
  options: AuthorizationServerCheckOptions,
): AuthorizationServerMetadata {
  const { metadata, violations } = checkAuthorizationServerMetadata(input, options);
  const fatal = violations.filter((x) => x.level === 'MUST');
  if (!metadata || fatal.length > 0) {
    throw new OAuthError(
      'METADATA_INVALID',
      `Authorization server metadata of ${options.expectedIssuer} breaks the ATProto profile: ${formatViolations(fatal)}`,
      { details: fatal },
    );
  }
  return metadata;
}
