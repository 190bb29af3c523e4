import { OAuthError } from '../errors.js';
import { httpsUrlProblem, parseUrl } from '../util/url-checks.js';
import { formatViolations, type Violation } from '../util/violation.js';
import { type ClientMetadata, clientMetadataSchema } from './client-metadata-schema.js';
import { isLoopbackClientId, loopbackClientMetadata, loopbackRedirectProblem } from './loopback-client.js';

/** How the toolkit will use a client, derived from its metadata. */
export type ClientKind = 'confidential' | 'public-web' | 'native' | 'loopback';

/**
 * The result of {@link checkClientMetadata}: the parsed document (when it parses), the kind of
 * client it describes and every violated rule with its requirement ID.
 *
 * @example
 * ```ts
 * const { kind, violations } = checkClientMetadata(document);
 * if (violations.length > 0) console.log(formatViolations(violations));
 * ```
 */
export interface ClientMetadataCheck {
  /** The document, when it parses against the schema. */
  metadata?: ClientMetadata;
  /** How the toolkit would use the client, when it can tell. */
  kind?: ClientKind;
  /** Every broken META-CLIENT-*, REDIRECT-* and LOOPBACK-* rule; empty when the document is fine. */
  violations: Violation[];
}

/**
 * Options for {@link checkClientMetadata} and {@link validateClientMetadata}.
 *
 * @example
 * ```ts
 * checkClientMetadata(document, { fetchedFrom: 'https://app.example.com/oauth-client-metadata.json' });
 * ```
 */
export interface CheckClientMetadataOptions {
  /** The URL the document was fetched from; `client_id` must equal it (META-CLIENT-04). */
  fetchedFrom?: string;
}

/** META-CLIENT-01/02: the client_id URL itself. Returns violations. */
export function checkClientId(clientId: string): Violation[] {
  if (isLoopbackClientId(clientId)) {
    try {
      loopbackClientMetadata(clientId);
      return [];
    } catch (err) {
      return [{ id: 'LOOPBACK-02', level: 'MUST', path: 'client_id', message: (err as Error).message }];
    }
  }
  const v: Violation[] = [];
  const url = parseUrl(clientId);
  const bad = (id: string, message: string) => v.push({ id, level: 'MUST', path: 'client_id', message });
  if (!url) {
    bad('META-CLIENT-01', `"${clientId}" is not a URL`);
    return v;
  }
  if (url.protocol !== 'https:')
    bad('META-CLIENT-01', `"${clientId}" must use https (or be an http://localhost dev id)`);
  if (url.port !== '' || /^https:\/\/[^/]*:\d*(\/|$)/.test(clientId)) bad('META-CLIENT-01', 'must not carry a port');
  if (url.username || url.password) bad('META-CLIENT-02', 'must not contain a username or password');
  if (url.hash || clientId.includes('#')) bad('META-CLIENT-02', 'must not contain a fragment');
  if (url.pathname === '/' && !/^https:\/\/[^/]+\/./.test(clientId)) {
    bad('META-CLIENT-02', 'must have a path component (e.g. /oauth-client-metadata.json)');
  }
  if (/\/\.\.?(\/|$|\?)/.test(clientId.replace(/^https:\/\/[^/]+/, ''))) {
    bad('META-CLIENT-02', 'must not contain "." or ".." path segments');
  }
  if (url.search) {
    v.push({ id: 'META-CLIENT-02', level: 'SHOULD', path: 'client_id', message: 'should not carry a query string' });
  }
  return v;
}

function reverseDomain(hostname: string): string {
  return hostname.split('.').reverse().join('.');
}

/** REDIRECT-02..06 for one redirect URI of a client of the given application type. */
function redirectViolations(
  uri: string,
  index: number,
  applicationType: string,
  clientId: URL | undefined,
): Violation[] {
  const path = `redirect_uris[${index}]`;
  const url = parseUrl(uri);
  if (!url) return [{ id: 'META-CLIENT-09', level: 'MUST', path, message: `"${uri}" is not a URL` }];
  if (url.hash) return [{ id: 'REDIRECT-01', level: 'MUST', path, message: `"${uri}" must not contain a fragment` }];
  if (applicationType === 'web') {
    // REDIRECT-02: web clients redirect to https, no written default port.
    if (url.protocol !== 'https:') {
      return [{ id: 'REDIRECT-02', level: 'MUST', path, message: `"${uri}" must use https for a web client` }];
    }
    if (/^https:\/\/[^/]*:443(\/|$|\?)/.test(uri)) {
      return [{ id: 'REDIRECT-02', level: 'MUST', path, message: `"${uri}" must not write out the default port 443` }];
    }
    return [];
  }
  // native
  if (url.protocol === 'https:') {
    // REDIRECT-04: an https redirect of a native client stays on the client_id's origin.
    if (clientId && url.origin !== clientId.origin) {
      return [
        {
          id: 'REDIRECT-04',
          level: 'MUST',
          path,
          message: `"${uri}" must be on the client_id origin ${clientId.origin}`,
        },
      ];
    }
    return [];
  }
  if (url.protocol === 'http:') {
    const problem = loopbackRedirectProblem(uri);
    return problem ? [{ id: 'REDIRECT-06', level: 'MUST', path, message: `"${uri}" ${problem}` }] : [];
  }
  // REDIRECT-03: custom scheme = reversed client_id hostname, then exactly ":/" and a path.
  const scheme = url.protocol.slice(0, -1);
  const expected = clientId ? reverseDomain(clientId.hostname) : undefined;
  if (expected && scheme !== expected) {
    return [
      {
        id: 'REDIRECT-03',
        level: 'MUST',
        path,
        message: `custom scheme "${scheme}" must be the reversed client_id hostname "${expected}"`,
      },
    ];
  }
  if (!/^[^:]+:\/[^/]/.test(uri)) {
    return [
      {
        id: 'REDIRECT-03',
        level: 'MUST',
        path,
        message: `"${uri}" must be of the form ${scheme}:/path (one colon, one slash)`,
      },
    ];
  }
  return [];
}

/**
 * Every violation of the ATProto client-metadata rules (META-CLIENT-*, REDIRECT-*, LOOPBACK-*)
 * in a document, in plain words, each tagged with its requirement ID. Pure: no I/O.
 */
export function checkClientMetadata(input: unknown, options: CheckClientMetadataOptions = {}): ClientMetadataCheck {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { violations: [{ id: 'META-CLIENT-03', level: 'MUST', message: 'the document must be a JSON object' }] };
  }
  const parsed = clientMetadataSchema.safeParse(input);
  if (!parsed.success) {
    return {
      violations: parsed.error.issues.map((i) => ({
        id: 'META-CLIENT-03',
        level: 'MUST' as const,
        path: i.path.join('.'),
        message: `is missing or has the wrong type (${i.message})`,
      })),
    };
  }
  const m = parsed.data;
  const v: Violation[] = [];
  const must = (id: string, ok: boolean, path: string, message: string) => {
    if (!ok) v.push({ id, level: 'MUST', path, message });
  };
  const should = (id: string, ok: boolean, path: string, message: string) => {
    if (!ok) v.push({ id, level: 'SHOULD', path, message });
  };

  v.push(...checkClientId(m.client_id));
  if (options.fetchedFrom !== undefined) {
    // META-CLIENT-04: simple string comparison with the URL it was fetched from.
    must(
      'META-CLIENT-04',
      m.client_id === options.fetchedFrom,
      'client_id',
      `"${m.client_id}" differs from the URL it was fetched from, "${options.fetchedFrom}"`,
    );
  }
  const applicationType = m.application_type ?? 'web';
  must(
    'META-CLIENT-05',
    applicationType === 'web' || applicationType === 'native',
    'application_type',
    `"${applicationType}" must be "web" or "native"`,
  );
  must(
    'META-CLIENT-06',
    m.grant_types.includes('authorization_code'),
    'grant_types',
    'must contain "authorization_code"',
  );
  must('META-CLIENT-07', m.scope.split(' ').includes('atproto'), 'scope', 'must include "atproto"');
  // SCOPE-03: printable ASCII tokens without space, quote or backslash, single-space separated.
  must(
    'SCOPE-03',
    /^[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*$/.test(m.scope),
    'scope',
    'must be single-space-separated tokens of printable ASCII (no ", \\, tabs or non-ASCII)',
  );
  must('META-CLIENT-08', m.response_types.includes('code'), 'response_types', 'must contain "code"');
  must('META-CLIENT-09', m.redirect_uris.length > 0, 'redirect_uris', 'must not be empty');
  must('META-CLIENT-10', m.dpop_bound_access_tokens === true, 'dpop_bound_access_tokens', 'must be true');

  const method = m.token_endpoint_auth_method;
  must(
    'META-CLIENT-11',
    method === 'none' || method === 'private_key_jwt',
    'token_endpoint_auth_method',
    method === undefined
      ? 'must be written out ("none" or "private_key_jwt"); the RFC 7591 default is a shared secret'
      : `"${method}" must be "none" or "private_key_jwt"`,
  );
  // META-CLIENT-17: no shared secrets in any form.
  for (const key of ['client_secret', 'client_secret_expires_at'] as const) {
    must('META-CLIENT-17', !(key in m), key, 'must not be present: ATProto clients have no shared secret');
  }
  const alg = m.token_endpoint_auth_signing_alg;
  must('META-CLIENT-12', alg !== 'none', 'token_endpoint_auth_signing_alg', 'must never be "none"');
  if (method === 'private_key_jwt') {
    must(
      'META-CLIENT-12',
      alg !== undefined,
      'token_endpoint_auth_signing_alg',
      'is required with private_key_jwt (use "ES256")',
    );
    // META-CLIENT-13: a key set through exactly one of jwks / jwks_uri.
    must(
      'META-CLIENT-13',
      (m.jwks === undefined) !== (m.jwks_uri === undefined),
      'jwks',
      m.jwks && m.jwks_uri ? 'give jwks or jwks_uri, not both' : 'a confidential client needs jwks or jwks_uri',
    );
    if (m.jwks_uri !== undefined) {
      const problem = httpsUrlProblem(m.jwks_uri);
      must('META-CLIENT-13', !problem, 'jwks_uri', `"${m.jwks_uri}" ${problem}`);
    }
    if (m.jwks !== undefined) must('META-CLIENT-13', m.jwks.keys.length > 0, 'jwks.keys', 'must hold at least one key');
    must(
      'LOOPBACK-06',
      !isLoopbackClientId(m.client_id),
      'token_endpoint_auth_method',
      'a http://localhost client is always public',
    );
  } else if (method === 'none') {
    must(
      'META-CLIENT-12',
      alg === undefined,
      'token_endpoint_auth_signing_alg',
      'must be absent for a public client (token_endpoint_auth_method "none")',
    );
  }
  m.jwks?.keys.forEach((key, i) => {
    // META-CLIENT-14: published keys are public only, and should carry a kid.
    must(
      'META-CLIENT-14',
      !('d' in key),
      `jwks.keys[${i}]`,
      'contains private key material ("d"); publish public keys only',
    );
    should('META-CLIENT-14', typeof key.kid === 'string', `jwks.keys[${i}]`, 'should have a "kid"');
  });
  for (const key of ['logo_uri', 'tos_uri', 'policy_uri'] as const) {
    const value = m[key];
    if (value === undefined) continue;
    const problem = httpsUrlProblem(value);
    must('META-CLIENT-15', !problem, key, `"${value}" ${problem}`);
  }
  const clientUrl = parseUrl(m.client_id);
  if (m.client_uri !== undefined && clientUrl) {
    // META-CLIENT-16 is contradicted elsewhere in the spec: report, never fail.
    should(
      'META-CLIENT-16',
      parseUrl(m.client_uri)?.hostname === clientUrl.hostname,
      'client_uri',
      `"${m.client_uri}" should share the client_id hostname ${clientUrl.hostname}`,
    );
  }
  if (applicationType === 'web' || applicationType === 'native') {
    m.redirect_uris.forEach((uri, i) => {
      v.push(...redirectViolations(uri, i, applicationType, clientUrl));
    });
  }

  let kind: ClientKind;
  if (isLoopbackClientId(m.client_id)) kind = 'loopback';
  else if (method === 'private_key_jwt') kind = 'confidential';
  else kind = applicationType === 'native' ? 'native' : 'public-web';
  return { metadata: m, kind, violations: v };
}

/** Like {@link checkClientMetadata} but throws `CLIENT_METADATA_INVALID` on any MUST violation. */
export function validateClientMetadata(
  input: unknown,
  options: CheckClientMetadataOptions = {},
): { metadata: ClientMetadata; kind: ClientKind; warnings: Violation[] } {
  const { metadata, kind, violations } = checkClientMetadata(input, options);
  const fatal = violations.filter((x) => x.level === 'MUST');
  if (!metadata || !kind || fatal.length > 0) {
    throw new OAuthError('CLIENT_METADATA_INVALID', `Client metadata is invalid: ${formatViolations(fatal)}`, {
      details: fatal,
    });
  }
  return { metadata, kind, warnings: violations.filter((x) => x.level === 'SHOULD') };
}
