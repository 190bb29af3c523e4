import * as z from 'zod/mini';
import { OAuthError } from '../errors.js';
import { bareOriginProblem, type OriginRules } from '../util/url-checks.js';
import { formatViolations, type Violation } from '../util/violation.js';

/** RFC 9728 protected-resource metadata, as far as ATProto uses it; unknown members are kept. */
export const protectedResourceMetadataSchema = z.looseObject({
  resource: z.string(),
  authorization_servers: z.optional(z.array(z.unknown())),
});

/**
 * A PDS's RFC 9728 protected-resource metadata after the ATProto profile checks (META-RS-03..05).
 *
 * @example
 * ```ts
 * const prm = await resolver.getProtectedResourceMetadata('https://pds.example.com');
 * const [issuer] = prm.authorization_servers; // exactly one
 * ```
 */
export interface ProtectedResourceMetadata {
  /** The PDS origin; equal to the URL the document was fetched for (META-RS-05). */
  resource: string;
  /** Exactly one entry (META-RS-03). */
  authorization_servers: [string];
  [key: string]: unknown;
}

/**
 * Options for {@link checkProtectedResourceMetadata} and {@link validateProtectedResourceMetadata}.
 *
 * @example
 * ```ts
 * const violations = checkProtectedResourceMetadata(json, { expectedResource: 'https://pds.example.com' });
 * ```
 */
export interface ProtectedResourceCheckOptions extends OriginRules {
  /** The PDS origin the document was fetched for (META-RS-05). */
  expectedResource: string;
}

/** Every ATProto violation in a PDS's protected-resource metadata (META-RS-03..05). Pure. */
export function checkProtectedResourceMetadata(
  input: unknown,
  options: ProtectedResourceCheckOptions,
): { metadata?: ProtectedResourceMetadata; violations: Violation[] } {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { violations: [{ id: 'META-RS-02', level: 'MUST', message: 'the body must be a JSON object' }] };
  }
  const parsed = protectedResourceMetadataSchema.safeParse(input);
  if (!parsed.success) {
    return { violations: [{ id: 'META-RS-05', level: 'MUST', path: 'resource', message: 'must be a string' }] };
  }
  const m = parsed.data;
  const v: Violation[] = [];
  // META-RS-05: the document must describe the PDS it was fetched for, exactly.
  if (m.resource !== options.expectedResource) {
    v.push({
      id: 'META-RS-05',
      level: 'MUST',
      path: 'resource',
      message: `"${m.resource}" differs from the PDS "${options.expectedResource}"`,
    });
  }
  // META-RS-03: exactly one authorization server, a string.
  const servers = m.authorization_servers;
  if (!Array.isArray(servers) || servers.length !== 1 || typeof servers[0] !== 'string') {
    v.push({
      id: 'META-RS-03',
      level: 'MUST',
      path: 'authorization_servers',
      message: `must be an array of exactly one URL string (got ${JSON.stringify(servers ?? null)})`,
    });
  } else {
    // META-RS-04: that server is a bare https origin.
    const problem = bareOriginProblem(servers[0], options);
    if (problem) {
      v.push({
        id: 'META-RS-04',
        level: 'MUST',
        path: 'authorization_servers[0]',
        message: `"${servers[0]}" ${problem}`,
      });
    }
  }
  if (v.length > 0) return { violations: v };
  return { metadata: m as ProtectedResourceMetadata, violations: v };
}

/** Like {@link checkProtectedResourceMetadata} but throws `METADATA_INVALID` on a violation. */
export function validateProtectedResourceMetadata(
  input: unknown,
  options: ProtectedResourceCheckOptions,
): ProtectedResourceMetadata {
  const { metadata, violations } = checkProtectedResourceMetadata(input, options);
  if (!metadata) {
    throw new OAuthError(
      'METADATA_INVALID',
      `Protected-resource metadata of ${options.expectedResource} is not usable: ${formatViolations(violations)}`,
      { details: violations },
    );
  }
  return metadata;
}
