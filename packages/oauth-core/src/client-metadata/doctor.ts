import { createSafeFetch, type FetchLike, mediaType, readJson } from '@relay/identity';
import type { Violation } from '../util/violation.js';
import { wrapError } from '../util/wrap-error.js';
import { type ClientKind, checkClientMetadata } from './check-client-metadata.js';
import type { ClientMetadata } from './client-metadata-schema.js';
import { isLoopbackClientId, loopbackClientMetadata } from './loopback-client.js';

/**
 * What {@link doctor} found about a deployed client.
 *
 * @example
 * ```ts
 * const report = await doctor('https://app.example.com/oauth-client-metadata.json');
 * if (!report.ok) process.exitCode = 1;
 * ```
 */
export interface DoctorReport {
  /** The client id that was checked. */
  clientId: string;
  /** No MUST-level violation. */
  ok: boolean;
  /** The kind of client the document describes, when it parses. */
  kind?: ClientKind;
  /** The fetched document, when it parses. */
  metadata?: ClientMetadata;
  /** Every problem found, each with its requirement ID and level. */
  violations: Violation[];
}

/**
 * Options for {@link doctor}.
 *
 * @example
 * ```ts
 * const report = await doctor(clientId, { fetch: createNodeSafeFetch({ maxBytes: 64 * 1024 }) });
 * ```
 */
export interface DoctorOptions {
  /** The fetch to use (default: the SSRF-safe fetch, 64 KiB cap, no redirects). */
  fetch?: FetchLike;
}

const MUST = (id: string, message: string, path?: string): Violation => ({
  id,
  level: 'MUST',
  message,
  ...(path ? { path } : {}),
});

async function fetchJson(fetch: FetchLike, url: string, what: string, v: Violation[]): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, { redirect: 'manual', headers: { accept: 'application/json' } });
  } catch (err) {
    v.push(MUST('META-CLIENT-03', `${what} could not be fetched: ${wrapError(err, 'NETWORK_ERROR', url).message}`));
    return undefined;
  }
  // META-CLIENT-03: 200 exactly, no redirect, application/json, a JSON object.
  if (res.status !== 200) {
    await res.body?.cancel().catch(() => undefined);
    const where = res.headers.get('location');
    v.push(
      MUST(
        'META-CLIENT-03',
        `${what} answered HTTP ${res.status}${where ? ` (redirect to ${where})` : ''}; authorization servers need 200 and never follow redirects`,
      ),
    );
    return undefined;
  }
  const type = mediaType(res.headers.get('content-type'));
  if (type !== 'application/json') {
    v.push(MUST('META-CLIENT-03', `${what} is served as "${type || 'no content-type'}"; serve application/json`));
    await res.body?.cancel().catch(() => undefined);
    return undefined;
  }
  try {
    return await readJson(res, { maxBytes: 64 * 1024 });
  } catch (err) {
    v.push(MUST('META-CLIENT-03', `${what} is not usable JSON: ${(err as Error).message}`));
    return undefined;
  }
}

/**
 * Checks a deployed client the way an authorization server will: fetches its metadata document
 * (and JWKS), and reports every violation of the META-CLIENT-*, REDIRECT-* and LOOPBACK-* rules in
 * plain words. Never throws for a broken client; the report says what is wrong.
 *
 * @example
 * ```ts
 * const report = await doctor('https://app.example.com/oauth-client-metadata.json');
 * for (const v of report.violations) console.log(`${v.id} ${v.level}: ${v.message}`);
 * ```
 */
export async function doctor(clientId: string, options: DoctorOptions = {}): Promise<DoctorReport> {
  const violations: Violation[] = [];
  let json: unknown;
  if (isLoopbackClientId(clientId)) {
    try {
      json = loopbackClientMetadata(clientId);
    } catch (err) {
      violations.push(MUST('LOOPBACK-02', (err as Error).message, 'client_id'));
      return { clientId, ok: false, violations };
    }
  } else {
    const fetch = options.fetch ?? createSafeFetch({ maxBytes: 64 * 1024 });
    json = await fetchJson(fetch, clientId, 'The client metadata document', violations);
    if (json === undefined) return { clientId, ok: false, violations };
  }
  const check = checkClientMetadata(json, { fetchedFrom: clientId });
  violations.push(...check.violations);
  const m = check.metadata;
  if (m?.jwks_uri && m.token_endpoint_auth_method === 'private_key_jwt') {
    const fetch = options.fetch ?? createSafeFetch({ maxBytes: 64 * 1024 });
    const jwks = (await fetchJson(fetch, m.jwks_uri, 'The JWKS at jwks_uri', violations)) as
      | { keys?: unknown }
      | undefined;
    if (jwks !== undefined) {
      const keys = Array.isArray(jwks?.keys) ? (jwks.keys as Record<string, unknown>[]) : undefined;
      if (!keys || keys.length === 0) violations.push(MUST('META-CLIENT-13', 'the JWKS has no keys', 'jwks_uri'));
      keys?.forEach((key, i) => {
        if ('d' in key)
          violations.push(MUST('META-CLIENT-14', 'publishes private key material ("d")', `jwks_uri#keys[${i}]`));
        if (typeof key.kid !== 'string') {
          violations.push({
            id: 'META-CLIENT-14',
            level: 'SHOULD',
            path: `jwks_uri#keys[${i}]`,
            message: 'has no "kid"',
          });
        }
      });
    }
  }
  return {
    clientId,
    ok: !violations.some((x) => x.level === 'MUST'),
    ...(check.kind ? { kind: check.kind } : {}),
    ...(m ? { metadata: m } : {}),
    violations,
  };
}
