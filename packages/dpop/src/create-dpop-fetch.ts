import { computeAth } from './compute-ath.js';
import { createDpopProof } from './create-dpop-proof.js';
import type { DpopKey } from './dpop-key.js';
import { DpopError } from './errors.js';
import { htuOf } from './htu.js';
import { type CoalescingNonceStore, createNonceGate, NONCE_GATE, type NonceStore } from './nonce-store.js';
import { isUseDpopNonceError } from './use-dpop-nonce.js';

/** The fetch signature this package wraps and returns (what oauth4webapi's `customFetch` expects). */
export type FetchLike = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;

/** Optional sink for diagnostics; the package never writes to the console. */
export interface DpopLogger {
  /** Routine events (a nonce recorded, a retry). */
  debug?(message: string, data?: Record<string, unknown>): void;
  /** Something the caller may want to know about (a second nonce error, a body that cannot be replayed). */
  warn?(message: string, data?: Record<string, unknown>): void;
}

/** Options for `createDpopFetch`. */
export interface CreateDpopFetchOptions {
  /** The session's DPoP key (DPOP-02: one key per session, for its whole life). */
  key: DpopKey;
  /** Nonces by origin, shared by every session of the client (NONCE-04). */
  nonces: NonceStore;
  /** The fetch to call (default: the global `fetch`, looked up per call). */
  fetch?: FetchLike;
  /**
   * Binds requests to an access token: adds `Authorization: DPoP <token>` and `ath`. A function is
   * called for every attempt, so a session that refreshes its token is picked up without a new wrapper.
   * Without it, an `Authorization: DPoP <token>` header the caller set still gets its `ath`.
   */
  accessToken?: string | (() => string | undefined | Promise<string | undefined>);
  /** Resolves relative request URLs (e.g. `/xrpc/...` from an XRPC client) against this base. */
  baseUrl?: string | URL;
  logger?: DpopLogger;
}

const NONCE_HEADER = /^[\x21\x23-\x5b\x5d-\x7e]{1,1024}$/;
const NORMALISED_METHODS = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT']);
const DPOP_AUTH = /^DPoP +([^\s,]+)$/i;

function isRequest(input: unknown): input is Request {
  return (
    typeof input === 'object' &&
    input !== null &&
    !(input instanceof URL) &&
    typeof (input as Request).url === 'string' &&
    typeof (input as Request).method === 'string'
  );
}

// Bodies fetch can extract again for a second attempt; a stream (or anything else) is single-use.
function isReplayableBody(body: unknown): boolean {
  return (
    typeof body === 'string' ||
    body instanceof URLSearchParams ||
    body instanceof ArrayBuffer ||
    ArrayBuffer.isView(body) ||
    (typeof Blob !== 'undefined' && body instanceof Blob) ||
    (typeof FormData !== 'undefined' && body instanceof FormData)
  );
}

function waitUnlessAborted(promise: Promise<void>, signal: AbortSignal | null | undefined): Promise<void> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, reject);
  });
}

/**
 * A fetch that adds a fresh DPoP proof to every request (DPOP-07, DPOP-09), records the `DPoP-Nonce` of
 * every response (NONCE-03) and retries exactly once on `use_dpop_nonce` (NONCE-01, NONCE-02, NONCE-05).
 *
 * - A body that cannot be replayed (a `ReadableStream`, or a `Request` object that carries a body) is
 *   sent once; a nonce error then comes back to the caller as is. Pass bodies in `init` as strings,
 *   `URLSearchParams`, bytes, `Blob` or `FormData` to get the retry.
 * - Concurrent first requests to an origin with no known nonce are coalesced: one goes out, the rest
 *   wait for its first response and reuse its nonce, so a burst of N costs at most N + 1 round trips.
 *   The coalescing state lives on the nonce store when it has one (`createMemoryNonceStore`,
 *   `withNonceCoalescing`), so it spans every session sharing the store; otherwise on this wrapper.
 */
export function createDpopFetch(options: CreateDpopFetchOptions): FetchLike {
  const { key, nonces, logger } = options;
  if (typeof key?.sign !== 'function' || typeof key.header !== 'string') {
    throw new DpopError('DPOP_INVALID_OPTIONS', 'createDpopFetch needs a key from generateDpopKey or importDpopKey');
  }
  if (typeof nonces?.get !== 'function' || typeof nonces.set !== 'function') {
    throw new DpopError('DPOP_INVALID_OPTIONS', 'createDpopFetch needs a nonce store (createMemoryNonceStore())');
  }
  const gate = (nonces as Partial<CoalescingNonceStore>)[NONCE_GATE] ?? createNonceGate();
  const fetchImpl: FetchLike = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const tokenOption = options.accessToken;
  const baseUrl = options.baseUrl;
  let athMemo: { token: string; ath: string } | undefined; // per wrapper: hashing once per token

  const athFor = async (token: string) => {
    if (athMemo?.token !== token) athMemo = { token, ath: await computeAth(token) };
    return athMemo.ath;
  };

  const recordNonce = async (response: Response, origin: string, sent: string | undefined) => {
    // NONCE-03: Headers.get is case-insensitive; every response counts, successes included
    const value = response.headers.get('dpop-nonce');
    if (value === null) return undefined;
    if (!NONCE_HEADER.test(value)) {
      logger?.warn?.('ignoring a malformed DPoP-Nonce header', { origin, length: value.length });
      return undefined;
    }
    const from = response.redirected && response.url ? new URL(response.url).origin : origin;
    if (value !== sent || from !== origin) await nonces.set(from, value);
    return from === origin ? value : undefined;
  };

  return async function dpopFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const request = isRequest(input) ? input : undefined;
    let url: URL;
    try {
      url = request ? new URL(request.url) : new URL(input instanceof URL ? input.href : String(input), baseUrl);
    } catch (cause) {
      throw new DpopError('DPOP_REQUEST_INVALID', `cannot resolve the request URL (set baseUrl for relative URLs)`, {
        cause,
      });
    }
    const htu = htuOf(url); // DPOP-04
    const origin = url.origin;
    const rawMethod = init?.method ?? request?.method ?? 'GET';
    const method = NORMALISED_METHODS.has(rawMethod.toUpperCase()) ? rawMethod.toUpperCase() : rawMethod;
    const replayable = init?.body != null ? isReplayableBody(init.body) : request ? request.body === null : true;
    const baseHeaders = init?.headers ?? request?.headers;
    const target: RequestInfo = request ?? url.href;

    const send = async (nonce: string | undefined) => {
      const headers = new Headers(baseHeaders);
      const token = typeof tokenOption === 'function' ? await tokenOption() : tokenOption;
      let ath: string | undefined;
      if (token !== undefined) {
        headers.set('authorization', `DPoP ${token}`); // DPOP-06: the DPoP scheme, never Bearer
        ath = await athFor(token);
      } else {
        const presented = DPOP_AUTH.exec(headers.get('authorization') ?? '')?.[1];
        if (presented !== undefined) ath = await athFor(presented);
      }
      // DPOP-07: a new proof (new jti) for every attempt; DPOP-08: set() leaves exactly one DPoP header
      headers.set('dpop', await createDpopProof(key, { htm: method, htu, nonce, ath }));
      const response = await fetchImpl(target, { ...init, method, headers });
      return { response, nonce: await recordNonce(response, origin, nonce) };
    };

    let nonce = await nonces.get(origin);
    let ticket = nonce === undefined ? gate.enter(origin) : undefined;
    if (ticket && 'wait' in ticket) {
      await waitUnlessAborted(ticket.wait, init?.signal ?? request?.signal);
      nonce = await nonces.get(origin);
      ticket = undefined;
    }
    let first: Awaited<ReturnType<typeof send>>;
    try {
      first = await send(nonce);
    } finally {
      if (ticket && 'release' in ticket) ticket.release(); // the probe's nonce is stored: waiters go now
    }

    const fresh = first.nonce;
    if (fresh === undefined || fresh === nonce) return first.response;
    if (!(await isUseDpopNonceError(first.response))) return first.response;
    if (!replayable) {
      logger?.debug?.('use_dpop_nonce on a non-replayable body: not retried', { origin });
      return first.response;
    }
    // NONCE-01/02/05/06: store done above; retry exactly once with the new nonce and a fresh proof
    first.response.body?.cancel().catch(() => {});
    logger?.debug?.('retrying once with the new DPoP nonce', { origin, status: first.response.status });
    return (await send(fresh)).response;
  };
}
