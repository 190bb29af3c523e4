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
  /** The DID this method finds for `handle`, or `null` when it has no answer. */
  resolve(handle: string, options?: HandleResolveOptions): Promise<string | null>;
}
