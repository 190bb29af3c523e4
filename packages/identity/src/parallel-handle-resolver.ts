import { abortable } from './abortable.js';
import { IdentityError } from './errors.js';
import type { HandleResolver } from './handle-resolver.js';

/** Options for `createParallelHandleResolver`. */
export interface ParallelHandleResolverOptions {
  /** The DNS method (preferred when it answers). */
  readonly dns?: HandleResolver;
  /** The HTTPS well-known method. */
  readonly wellKnown?: HandleResolver;
}

/**
 * Runs both methods at the same time (ID-HANDLE-09, ID-HANDLE-10). DNS wins whenever it has an
 * answer — the HTTPS request is then cancelled — so a DNS/HTTPS disagreement always yields the DNS
 * DID. Without a DNS answer the HTTPS one is used. `null` when neither answers; when neither
 * answers and one failed, its error is thrown (an unsafe well-known host surfaces as
 * `FETCH_UNSAFE_ADDRESS`, not as "not found").
 */
export function createParallelHandleResolver(options: ParallelHandleResolverOptions): HandleResolver {
  const { dns, wellKnown } = options;
  if (!dns && !wellKnown) throw new IdentityError('INVALID_OPTIONS', 'Give at least one of dns and wellKnown.');
  return {
    async resolve(handle, opts) {
      const cancel = new AbortController();
      const onAbort = () => cancel.abort(opts?.signal?.reason);
      opts?.signal?.addEventListener('abort', onAbort, { once: true });
      try {
        const settle = (r: HandleResolver | undefined) =>
          r
            ? r.resolve(handle, { signal: cancel.signal }).then(
                (did) => ({ did, error: undefined as unknown }),
                (error: unknown) => ({ did: null, error }),
              )
            : Promise.resolve({ did: null, error: undefined as unknown });
        // Both start now; neither waits for the other.
        const httpsResult = settle(wellKnown);
        const dnsResult = await abortable(settle(dns), opts?.signal);
        if (dnsResult.did !== null) return dnsResult.did; // ID-HANDLE-10: DNS preferred.
        // ID-HANDLE-05: conflicting DNS records fail the resolution, whatever HTTPS says.
        if (dnsResult.error instanceof IdentityError && dnsResult.error.code === 'IDENTITY_CONFLICT')
          throw dnsResult.error;
        const wk = await abortable(httpsResult, opts?.signal);
        if (wk.did !== null) return wk.did;
        if (wk.error !== undefined) throw wk.error;
        if (dnsResult.error !== undefined) throw dnsResult.error;
        return null;
      } finally {
        opts?.signal?.removeEventListener('abort', onAbort);
        cancel.abort(); // stops the HTTPS request if DNS answered first
      }
    },
  };
}
