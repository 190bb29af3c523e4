import { isValidDid } from './did-syntax.js';
import { IdentityError } from './errors.js';
import type { HandleResolver } from './handle-resolver.js';
import { readText } from './read-body.js';
import type { FetchLike } from './safe-fetch.js';

/** Options for `createWellKnownHandleResolver`. */
export interface WellKnownHandleResolverOptions {
  /** The SSRF-safe fetch (`createSafeFetch` / `createNodeSafeFetch`). Dev host mapping lives there. */
  readonly fetch: FetchLike;
  /** Body cap in bytes. Default `2100` — a DID is at most 2048 chars, plus a little whitespace. */
  readonly maxBytes?: number;
}

function hostNotFound(cause: unknown): boolean {
  const code = (cause as { code?: unknown } | undefined)?.code;
  return code === 'ENOTFOUND';
}

/**
 * The HTTPS method (ID-HANDLE-06): `GET https://<handle>/.well-known/atproto-did`. Any 2xx counts,
 * whatever its content type; the body, trimmed of surrounding whitespace, must be a bare DID —
 * an HTML page or a JSON wrapper is `FETCH_BAD_RESPONSE`. Non-2xx is "no answer" (`null`).
 * Always https (ID-HANDLE-07); dev/test reach loopback through the safe fetch's `hostMap`.
 *
 * @example
 * ```ts
 * const wellKnown = createWellKnownHandleResolver({ fetch: createSafeFetch() });
 * const did = await wellKnown.resolve('alice.bsky.social'); // 'did:plc:…' or null
 * ```
 */
export function createWellKnownHandleResolver(options: WellKnownHandleResolverOptions): HandleResolver {
  const maxBytes = options.maxBytes ?? 2100;
  return {
    async resolve(handle, opts) {
      let response: Response;
      try {
        response = await options.fetch(`https://${handle}/.well-known/atproto-did`, {
          headers: { accept: 'text/plain' },
          signal: opts?.signal,
        });
      } catch (err) {
        // A host name that does not exist (NXDOMAIN) is "no answer", like a 404: the handle is
        // simply not published this way. Every other failure (unsafe address, timeout…) is kept.
        if (err instanceof IdentityError && err.code === 'FETCH_NETWORK' && hostNotFound(err.cause)) return null;
        throw err;
      }
      if (response.status < 200 || response.status > 299) {
        await response.body?.cancel().catch(() => undefined);
        return null;
      }
      const body = (await readText(response, { maxBytes })).trim();
      if (!isValidDid(body)) {
        throw new IdentityError(
          'FETCH_BAD_RESPONSE',
          `https://${handle}/.well-known/atproto-did did not return a bare DID.`,
        );
      }
      return body;
    },
  };
}
