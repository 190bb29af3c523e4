import * as z from 'zod/mini';
import { IdentityError } from './errors.js';
import type { HandleResolver } from './handle-resolver.js';
import { readJson } from './read-body.js';
import type { FetchLike } from './safe-fetch.js';

/** Options for `createXrpcHandleResolver`. */
export interface XrpcHandleResolverOptions {
  /** The service to ask, e.g. `https://public.api.bsky.app` (an origin you trust). */
  readonly service: string;
  /** The SSRF-safe fetch. */
  readonly fetch: FetchLike;
}

const OutputSchema = z.object({ did: z.string() });
const ErrorSchema = z.object({ error: z.optional(z.string()) });

/**
 * Asks a configured service: `GET <service>/xrpc/com.atproto.identity.resolveHandle?handle=…`.
 * A 400 with `HandleNotFound` (or a 404) is "no answer"; anything but a JSON `{ did }` is
 * `FETCH_BAD_RESPONSE`. The answer is only as trustworthy as the service — bidirectional
 * verification (ID-HANDLE-11) still applies.
 */
export function createXrpcHandleResolver(options: XrpcHandleResolverOptions): HandleResolver {
  const base = new URL('/xrpc/com.atproto.identity.resolveHandle', options.service);
  return {
    async resolve(handle, opts) {
      const url = new URL(base);
      url.searchParams.set('handle', handle);
      const response = await options.fetch(url, { headers: { accept: 'application/json' }, signal: opts?.signal });
      if (response.status === 404) {
        await response.body?.cancel().catch(() => undefined);
        return null;
      }
      if (response.status === 400) {
        const body = ErrorSchema.safeParse(await readJson(response, { maxBytes: 4096 }).catch(() => ({})));
        const name = body.success ? body.data.error : undefined;
        if (name === 'HandleNotFound' || name === 'InvalidRequest') return null;
        throw new IdentityError('FETCH_BAD_RESPONSE', `resolveHandle failed with 400 ${name ?? ''}`.trim());
      }
      if (response.status !== 200) {
        await response.body?.cancel().catch(() => undefined);
        throw new IdentityError('FETCH_BAD_RESPONSE', `resolveHandle answered HTTP ${response.status}.`);
      }
      const parsed = OutputSchema.safeParse(await readJson(response, { maxBytes: 4096 }));
      if (!parsed.success) throw new IdentityError('FETCH_BAD_RESPONSE', 'resolveHandle did not return { did }.');
      return parsed.data.did;
    },
  };
}
