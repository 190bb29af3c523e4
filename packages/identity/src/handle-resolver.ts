/** Per-call options for a `HandleResolver`. */
export interface HandleResolveOptions {
  /** Stops waiting (and cancels network requests where the method allows). */
  readonly signal?: AbortSignal;
}

/**
 * One way of turning a handle into a DID. Resolves to the DID string found (syntax is checked by
 * the caller, ID-HANDLE-12), `null` when this method has no answer, and rejects with an
 * `IdentityError` when the answer is unusable (conflicting records, unsafe host, bad body).
 * The handle passed in is already normalised and policy-checked.
 */
export interface HandleResolver {
  resolve(handle: string, options?: HandleResolveOptions): Promise<string | null>;
}

/** Rejects with the signal's reason when it aborts; otherwise settles like `promise`. */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
