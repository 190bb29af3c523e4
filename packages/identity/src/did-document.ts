import * as z from 'zod/mini';
import type { Did } from './did-syntax.js';
import { IdentityError } from './errors.js';
import { isValidHandle } from './handle-syntax.js';
import { isIpAddress } from './ip-address.js';
import { assertSafeAddress } from './url-policy.js';

/** The parts of a DID document this package reads; every other member is kept untouched (ID-DID-10). */
export interface DidDocument {
  readonly id: string;
  readonly alsoKnownAs?: readonly unknown[];
  readonly service?: readonly unknown[];
  readonly [key: string]: unknown;
}

// ID-DID-10: tolerant — unknown members, odd services and keys are ignored, not rejected.
const DidDocumentSchema = z.looseObject({
  id: z.string(),
  alsoKnownAs: z.optional(z.array(z.unknown())),
  service: z.optional(z.array(z.unknown())),
});
const ServiceSchema = z.object({
  id: z.string(),
  type: z.union([z.string(), z.array(z.string())]),
  serviceEndpoint: z.unknown(),
});

/**
 * Validates a fetched DID document: a JSON object (ID-DID-11) whose `id` is the DID that was
 * resolved (ID-DID-06). Throws `IDENTITY_DOCUMENT_INVALID`.
 */
export function parseDidDocument(json: unknown, did: Did): DidDocument {
  const parsed = DidDocumentSchema.safeParse(json);
  if (!parsed.success) {
    throw new IdentityError('IDENTITY_DOCUMENT_INVALID', `The DID document for ${did} is not a valid document object.`);
  }
  // ID-DID-06: the document must describe the DID we asked for.
  if (parsed.data.id !== did) {
    throw new IdentityError('IDENTITY_DOCUMENT_INVALID', `The DID document fetched for ${did} is for another DID.`);
  }
  return parsed.data as DidDocument;
}

/** Options for `getPdsEndpoint`. */
export interface PdsEndpointOptions {
  /** Accept `http:` endpoints (dev only). Default `false`. */
  readonly allowHttp?: boolean;
  /** Accept loopback IP literals (dev only). Default `false`. */
  readonly allowLoopback?: boolean;
}

/**
 * The PDS origin: the first `service` whose `id` ends in `#atproto_pds` (relative or absolute) and
 * whose `type` is `AtprotoPersonalDataServer` (ID-DID-07), with an endpoint that is a bare
 * `https://host[:port]` origin (ID-DID-08). A first matching entry with a bad endpoint is an error,
 * not skipped. No match → `IDENTITY_PDS_MISSING`. An IP-literal endpoint in the SSRF block-list →
 * `FETCH_UNSAFE_ADDRESS`; host names are checked when they are fetched.
 */
export function getPdsEndpoint(doc: DidDocument, options: PdsEndpointOptions = {}): string {
  for (const entry of doc.service ?? []) {
    const s = ServiceSchema.safeParse(entry);
    if (!s.success) continue;
    const { id, type, serviceEndpoint } = s.data;
    const types = Array.isArray(type) ? type : [type];
    if (!(id === '#atproto_pds' || id === `${doc.id}#atproto_pds`) || !types.includes('AtprotoPersonalDataServer')) {
      continue;
    }
    return checkEndpoint(serviceEndpoint, doc.id, options);
  }
  throw new IdentityError('IDENTITY_PDS_MISSING', `The DID document of ${doc.id} names no atproto PDS (#atproto_pds).`);
}

function checkEndpoint(value: unknown, did: string, options: PdsEndpointOptions): string {
  const bad = (why: string) =>
    new IdentityError('IDENTITY_DOCUMENT_INVALID', `The PDS endpoint in the DID document of ${did} ${why}.`);
  if (typeof value !== 'string') throw bad('is not a string');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw bad('is not a URL');
  }
  // ID-DID-08: https (http only in dev), scheme + host + optional port only.
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && options.allowHttp)) throw bad('is not https');
  if (
    url.username ||
    url.password ||
    url.search ||
    url.hash ||
    url.pathname !== '/' ||
    !/^https?:\/\/[^/?#]+\/?$/.test(value)
  ) {
    throw bad('must be a bare origin (no user info, path, query or fragment)');
  }
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  if (isIpAddress(host)) assertSafeAddress(host, options, host);
  return url.origin;
}

/**
 * The handle the document claims: the first `alsoKnownAs` entry of the form `at://<handle>` with
 * a syntactically valid handle (ID-DID-09), lower-cased; later entries are ignored. `null` when none.
 */
export function getClaimedHandle(doc: DidDocument): string | null {
  for (const aka of doc.alsoKnownAs ?? []) {
    if (typeof aka !== 'string' || !aka.startsWith('at://')) continue;
    const rest = aka.slice(5);
    // ID-DID-09: `at://alice.test/app.bsky.feed.post/1` is a record URI, not a handle.
    if (isValidHandle(rest)) return rest.toLowerCase();
  }
  return null;
}
