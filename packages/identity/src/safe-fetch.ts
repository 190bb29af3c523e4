import { IdentityError } from './errors.js';
import { truncate } from './handle-syntax.js';
import { type AddressPolicy, applyHostMap, checkUrl, parseHostMap } from './url-policy.js';

/** What `fetch` looks like to this package: the standard signature, nothing runtime-specific. */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** A fetch that applies the SSRF policy, redirect policy, timeout and size cap to every request. */
export type SafeFetch = FetchLike;

/** Options for `createSafeFetch`. Every default is the production-safe choice. */
export interface SafeFetchOptions extends AddressPolicy {
  /**
   * The transport that sends each (already checked) hop. Default `globalThis.fetch`, which cannot
   * check the resolved address at connect time: on Node use `createNodeSafeFetch` from
   * `@relay/identity/node`, which passes a transport that does.
   */
  readonly fetch?: FetchLike;
  /** Redirect hops followed, each re-checked. Default `0`: a redirect fails with `FETCH_REDIRECT_REFUSED`. */
  readonly maxRedirects?: number;
  /** Whole-request time limit in ms, body included (slow trickling bodies fail). Default `10_000`. */
  readonly timeoutMs?: number;
  /** Response body cap in bytes, enforced while streaming. Default `524_288` (512 KiB). */
  readonly maxBytes?: number;
  /** Dev/test only: host name → origin (`http://127.0.0.1:8080`) that receives its requests. */
  readonly hostMap?: Readonly<Record<string, string>>;
  /** `User-Agent` header added when the request has none (ignored by browsers). */
  readonly userAgent?: string;
}

/**
 * Internal protocol between the safe fetch and a transport that can cap the body itself (the Node
 * transport): the safe fetch puts `{ maxBytes, onEnd }` under this key in the transport's init, and a
 * transport that honours it marks its Response with the same key. The safe fetch then skips its own
 * web-stream re-wrap (the costliest step on a fast loopback request) and ends its timer in `onEnd`.
 */
export const BODY_GUARD: unique symbol = Symbol.for('@relay/identity.bodyGuard') as never;

export interface BodyGuard {
  maxBytes: number;
  /**
   * Dev host mapping: the host the caller asked for (`alice.test`), sent as the `Host` header by a
   * transport that can (Node), so a server that routes by name (the reference PDS serves
   * `/.well-known/atproto-did` per Host) answers for that name.
   */
  host?: string;
  /** Called once when the body ended, failed or was cancelled. */
  onEnd(): void;
}

/** Default time limit for a whole request, body included: 10 s (requirements §2). */
export const DEFAULT_TIMEOUT_MS = 10_000;
/** Default response-body cap: 512 KiB, counted while streaming (requirements §2). */
export const DEFAULT_MAX_BYTES = 512 * 1024;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);
// Credentials never follow a redirect to another origin.
const ORIGIN_BOUND_HEADERS = ['authorization', 'dpop', 'cookie', 'proxy-authorization'];

/**
 * Builds the SSRF-safe fetch. Each call runs this pipeline (each step documented where it lives):
 *
 * 1. `applyHostMap` — dev/test host mapping (off by default).
 * 2. `checkUrl` — http(s) only; https only unless `allowHttp`; no credentials in the URL; internal
 *    host names and IP literals in the block-list refused (loopback only with `allowLoopback`).
 * 3. transport — sends with `redirect: 'manual'`; the Node transport re-checks the resolved
 *    address at connect time (DNS rebinding).
 * 4. redirects — none by default; up to `maxRedirects` hops, each going through steps 1–3, never
 *    https → http, credentials dropped across origins.
 * 5. timeout — `AbortController` + `setTimeout` over the whole request including the body
 *    (`AbortSignal.timeout` is missing in some runtimes), cleared when the body ends.
 * 6. size cap — the body is counted while it streams and cut at `maxBytes`.
 *
 * The caller's `signal` aborts the request with `FETCH_ABORTED`. A caller passing
 * `redirect: 'manual'` gets 3xx responses back instead of an error.
 */
export function createSafeFetch(options: SafeFetchOptions = {}): SafeFetch {
  const hostMap = parseHostMap(options.hostMap);
  const maxRedirects = checkCount('maxRedirects', options.maxRedirects ?? 0);
  const timeoutMs = checkCount('timeoutMs', options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const maxBytes = checkCount('maxBytes', options.maxBytes ?? DEFAULT_MAX_BYTES);
  const policy: AddressPolicy = { allowHttp: options.allowHttp, allowLoopback: options.allowLoopback };

  return async function safeFetch(input, init) {
    const transport = options.fetch ?? globalThis.fetch;
    // Fast path: a string/URL input with a body fetch can send again as is needs no Request object
    // (building one costs more than the rest of the pipeline on a loopback request).
    const simple = !(input instanceof Request) && isResendable(init?.body);
    let request: Request | undefined;
    if (!simple) {
      try {
        request = new Request(input, init);
      } catch (cause) {
        throw new IdentityError('FETCH_INVALID_URL', `Cannot build a request for ${truncate(String(input))}.`, {
          cause,
        });
      }
    }
    const callerRedirect = init?.redirect ?? (input instanceof Request ? input.redirect : 'follow');
    const callerSignal = init?.signal ?? (input instanceof Request ? input.signal : undefined);
    const headers = new Headers(request ? request.headers : init?.headers);
    if (options.userAgent && !headers.has('user-agent')) headers.set('user-agent', options.userAgent);
    let method = request ? request.method : (init?.method ?? 'GET').toUpperCase();
    let body: BodyInit | undefined =
      method === 'GET' || method === 'HEAD'
        ? undefined
        : request
          ? await request.arrayBuffer()
          : ((init?.body ?? undefined) as BodyInit | undefined);
    if (body instanceof URLSearchParams && !headers.has('content-type')) {
      headers.set('content-type', 'application/x-www-form-urlencoded;charset=UTF-8');
    }
    if (typeof body === 'string' && !headers.has('content-type'))
      headers.set('content-type', 'text/plain;charset=UTF-8');
    let requestUrl: URL;
    try {
      requestUrl = request ? new URL(request.url) : new URL(input instanceof URL ? input.href : String(input));
    } catch (cause) {
      throw new IdentityError('FETCH_INVALID_URL', `Cannot build a request for ${truncate(String(input))}.`, { cause });
    }

    // Step 5: one controller for the whole request; the timer is cleared in `done`.
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new IdentityError('FETCH_TIMEOUT', `The request took longer than ${timeoutMs} ms.`)),
      timeoutMs,
    );
    (timer as { unref?: () => void }).unref?.();
    const onCallerAbort = () =>
      controller.abort(
        new IdentityError('FETCH_ABORTED', 'The request was aborted by the caller.', { cause: callerSignal?.reason }),
      );
    if (callerSignal?.aborted) onCallerAbort();
    else callerSignal?.addEventListener('abort', onCallerAbort, { once: true });
    const done = () => {
      clearTimeout(timer);
      callerSignal?.removeEventListener('abort', onCallerAbort);
    };

    try {
      let url = requestUrl;
      for (let hop = 0; ; hop++) {
        // Steps 1–2 for this hop.
        const mapped = applyHostMap(url, hostMap);
        const target = checkUrl(mapped, policy);
        if (controller.signal.aborted) throw controller.signal.reason;
        let response: Response;
        try {
          const guard: BodyGuard = { maxBytes, onEnd: done, ...(mapped !== url ? { host: url.host } : {}) };
          response = await transport(target.href, {
            method,
            headers,
            body: body ?? null,
            redirect: 'manual',
            signal: controller.signal,
            [BODY_GUARD]: guard,
          } as RequestInit);
        } catch (err) {
          if (controller.signal.aborted) throw controller.signal.reason;
          if (err instanceof IdentityError) throw err;
          throw new IdentityError('FETCH_NETWORK', `Could not reach ${truncate(target.origin)}.`, { cause: err });
        }

        // Step 4: redirects.
        if (response.type === 'opaqueredirect') {
          throw new IdentityError('FETCH_REDIRECT_REFUSED', 'The server redirected; this runtime hides the target.');
        }
        const location = response.headers.get('location');
        if (REDIRECT_STATUSES.has(response.status) && location !== null && callerRedirect !== 'manual') {
          await response.body?.cancel().catch(() => undefined);
          if (hop >= maxRedirects || callerRedirect === 'error') {
            throw new IdentityError(
              'FETCH_REDIRECT_REFUSED',
              `Refused to follow a redirect from ${truncate(url.origin)} (maxRedirects is ${maxRedirects}).`,
            );
          }
          let next: URL;
          try {
            next = new URL(location, url);
          } catch (cause) {
            throw new IdentityError('FETCH_BAD_RESPONSE', 'The redirect Location is not a URL.', { cause });
          }
          // Requirements §2: a redirect never downgrades https to http.
          if (url.protocol === 'https:' && next.protocol !== 'https:') {
            throw new IdentityError('FETCH_REDIRECT_REFUSED', `Refused a redirect from https to ${next.protocol}.`);
          }
          if (next.origin !== url.origin) for (const h of ORIGIN_BOUND_HEADERS) headers.delete(h);
          if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === 'POST')) {
            method = method === 'HEAD' ? 'HEAD' : 'GET';
            body = undefined;
            headers.delete('content-type');
            headers.delete('content-length');
          }
          url = next;
          continue;
        }
        if ((response as { [BODY_GUARD]?: boolean })[BODY_GUARD] === true) {
          // The transport caps the body and reports its end (see BODY_GUARD).
          Object.defineProperty(response, 'url', { value: url.href });
          return response;
        }
        return guardBody(response, url, maxBytes, controller.signal, done);
      }
    } catch (err) {
      done();
      throw err;
    }
  };
}

/** Step 6 (and the end of step 5): re-wraps the body so it is counted and capped as it streams. */
function guardBody(response: Response, url: URL, maxBytes: number, signal: AbortSignal, done: () => void): Response {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) {
    done();
    void response.body?.cancel().catch(() => undefined);
    throw new IdentityError('FETCH_TOO_LARGE', `The response declares ${declared} bytes; the cap is ${maxBytes}.`);
  }
  const init = { status: response.status, statusText: response.statusText, headers: response.headers };
  let out: Response;
  if (!response.body || NULL_BODY_STATUSES.has(response.status)) {
    done();
    out = new Response(null, init);
  } else {
    const reader = response.body.getReader();
    let total = 0;
    const stream = new ReadableStream<Uint8Array>({
      async pull(ctrl) {
        try {
          const { done: end, value } = await reader.read();
          if (end) {
            done();
            ctrl.close();
            return;
          }
          total += value.byteLength;
          if (total > maxBytes) {
            done();
            const err = new IdentityError('FETCH_TOO_LARGE', `The response body passed the ${maxBytes}-byte cap.`);
            void reader.cancel(err).catch(() => undefined);
            ctrl.error(err);
            return;
          }
          ctrl.enqueue(value);
        } catch (err) {
          done();
          ctrl.error(
            signal.aborted
              ? signal.reason
              : err instanceof IdentityError
                ? err
                : new IdentityError('FETCH_NETWORK', 'The connection failed while reading the body.', { cause: err }),
          );
        }
      },
      cancel(reason) {
        done();
        return reader.cancel(reason);
      },
    });
    out = new Response(stream, init);
  }
  Object.defineProperty(out, 'url', { value: url.href });
  return out;
}

/** Bodies that can be sent again unchanged on a redirect hop, so no Request needs building. */
function isResendable(body: unknown): boolean {
  return (
    body === undefined ||
    body === null ||
    typeof body === 'string' ||
    body instanceof URLSearchParams ||
    body instanceof ArrayBuffer ||
    ArrayBuffer.isView(body)
  );
}

function checkCount(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) {
    throw new IdentityError('INVALID_OPTIONS', `${name} must be a non-negative integer, got ${value}.`);
  }
  return value;
}
