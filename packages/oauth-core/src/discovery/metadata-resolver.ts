import { type CachedGetter, createCachedGetter, type FetchLike, mediaType } from '@relay/identity';
import * as oauth from 'oauth4webapi';
import { OAuthError } from '../errors.js';
import {
  type AuthorizationServerMetadata,
  validateAuthorizationServerMetadata,
} from '../metadata/authorization-server-metadata.js';
import {
  type ProtectedResourceMetadata,
  validateProtectedResourceMetadata,
} from '../metadata/protected-resource-metadata.js';
import { bareOriginProblem } from '../util/url-checks.js';
import { wrapError } from '../util/wrap-error.js';

/**
 * Options for {@link MetadataResolver}.
 *
 * @example
 * ```ts
 * const resolver = new MetadataResolver({ fetch: createNodeSafeFetch(), ttlMs: 60_000 });
 * ```
 */
export interface MetadataResolverOptions {
  /** The SSRF-safe fetch every request goes through. */
  fetch: FetchLike;
  /** Development: http loopback origins are acceptable (oauth4webapi's allowInsecureRequests too). */
  dev?: boolean;
  /** How long validated documents are reused. Default 5 minutes. */
  ttlMs?: number;
  /** Clock for the cache, in epoch milliseconds. Default `Date.now`. */
  now?: () => number;
}

/** Per-call options of the metadata resolver (exported as `MetadataResolveOptions`). */
export interface ResolveOptions {
  /** Fetch fresh (auth-critical checks such as TOKEN-SUB-03). */
  noCache?: boolean;
}

/**
 * Fetches, validates and caches the two discovery documents: a PDS's protected-resource metadata
 * and an authorization server's metadata. Both caches are single-flight (identity's
 * `createCachedGetter`), and only validated documents are ever stored.
 */
export class MetadataResolver {
  readonly #fetch: FetchLike;
  readonly #dev: boolean;
  readonly #prm: CachedGetter<ProtectedResourceMetadata>;
  readonly #as: CachedGetter<AuthorizationServerMetadata>;

  constructor(options: MetadataResolverOptions) {
    this.#fetch = options.fetch;
    this.#dev = options.dev ?? false;
    const ttlMs = options.ttlMs ?? 5 * 60_000;
    const now = options.now;
    this.#prm = createCachedGetter({ get: (pds) => this.#fetchPrm(pds), ttlMs, ...(now ? { now } : {}) });
    this.#as = createCachedGetter({ get: (issuer) => this.#fetchAs(issuer), ttlMs, ...(now ? { now } : {}) });
  }

  /** META-RS-01..05: the PDS's protected-resource metadata. */
  getProtectedResourceMetadata(pds: string, options: ResolveOptions = {}): Promise<ProtectedResourceMetadata> {
    return this.#prm.get(pds, options);
  }

  /** AS-META-01..14: an authorization server's metadata, issuer equal to `issuer`. */
  getAuthorizationServerMetadata(issuer: string, options: ResolveOptions = {}): Promise<AuthorizationServerMetadata> {
    return this.#as.get(issuer, options);
  }

  /**
   * PDS → its one authorization server (META-RS-07): the issuer named in the PRM, and that
   * server's validated metadata.
   */
  async resolveFromPds(
    pds: string,
    options: ResolveOptions = {},
  ): Promise<{ issuer: string; metadata: AuthorizationServerMetadata }> {
    const prm = await this.getProtectedResourceMetadata(pds, options);
    const issuer = prm.authorization_servers[0];
    const metadata = await this.getAuthorizationServerMetadata(issuer, options);
    // META-RS-06: an AS that lists the resources it serves must list this PDS.
    const served = metadata.protected_resources;
    if (Array.isArray(served) && !served.includes(prm.resource)) {
      throw new OAuthError(
        'METADATA_INVALID',
        `The authorization server ${issuer} does not list ${prm.resource} among its protected_resources (META-RS-06).`,
        { details: [{ id: 'META-RS-06', level: 'SHOULD', path: 'protected_resources' }] },
      );
    }
    return { issuer, metadata };
  }

  /**
   * A server URL typed by the user (META-RS-08): try it as a PDS first, then as an authorization
   * server (an entryway). Returns the issuer to bind to the authorization.
   */
  async resolveFromServerUrl(url: string): Promise<{ issuer: string; metadata: AuthorizationServerMetadata }> {
    const origin = this.#origin(url);
    try {
      return await this.resolveFromPds(origin);
    } catch (err) {
      // META-RS-09: no PRM (404) means the URL may be the authorization server itself.
      if (
        !(
          err instanceof OAuthError &&
          err.code === 'METADATA_INVALID' &&
          (err.details as { status?: number })?.status === 404
        )
      ) {
        throw err;
      }
    }
    return { issuer: origin, metadata: await this.getAuthorizationServerMetadata(origin) };
  }

  #origin(url: string): string {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new OAuthError('INVALID_INPUT', `"${url}" is not a URL, a handle or a DID.`);
    }
    const problem = bareOriginProblem(parsed.origin, { allowHttpLoopback: this.#dev });
    if (problem) throw new OAuthError('INVALID_INPUT', `Server URL ${parsed.origin} ${problem}.`);
    return parsed.origin;
  }

  async #get(url: string, what: string): Promise<Response> {
    let res: Response;
    try {
      res = await this.#fetch(url, { redirect: 'manual', headers: { accept: 'application/json' } });
    } catch (err) {
      throw wrapError(err, 'NETWORK_ERROR', `Fetching ${what} from ${url}`);
    }
    // META-RS-02 / AS-META-01: 200 exactly (no redirect), application/json.
    if (res.status !== 200) {
      await res.body?.cancel().catch(() => undefined);
      throw new OAuthError('METADATA_INVALID', `${what} at ${url} answered HTTP ${res.status}; 200 is required.`, {
        details: { status: res.status },
      });
    }
    const type = mediaType(res.headers.get('content-type'));
    if (type !== 'application/json') {
      await res.body?.cancel().catch(() => undefined);
      throw new OAuthError('METADATA_INVALID', `${what} at ${url} is ${type || 'untyped'}, not application/json.`, {
        details: { status: res.status, contentType: type },
      });
    }
    return res;
  }

  async #fetchPrm(pds: string): Promise<ProtectedResourceMetadata> {
    const res = await this.#get(`${pds}/.well-known/oauth-protected-resource`, 'Protected-resource metadata');
    let json: unknown;
    try {
      // oauth4webapi: RFC 9728 parsing and its own resource comparison.
      json = await oauth.processResourceDiscoveryResponse(new URL(pds), res);
    } catch (err) {
      throw wrapError(err, 'METADATA_INVALID', `Protected-resource metadata of ${pds}`);
    }
    return validateProtectedResourceMetadata(json, { expectedResource: pds, allowHttpLoopback: this.#dev });
  }

  async #fetchAs(issuer: string): Promise<AuthorizationServerMetadata> {
    const res = await this.#get(`${issuer}/.well-known/oauth-authorization-server`, 'Authorization server metadata');
    let json: unknown;
    try {
      // oauth4webapi: RFC 8414 parsing and issuer comparison; the profile check below is stricter.
      json = await oauth.processDiscoveryResponse(new URL(issuer), res);
    } catch (err) {
      throw wrapError(err, 'METADATA_INVALID', `Authorization server metadata of ${issuer}`);
    }
    return validateAuthorizationServerMetadata(json, { expectedIssuer: issuer, allowHttpLoopback: this.#dev });
  }
}
