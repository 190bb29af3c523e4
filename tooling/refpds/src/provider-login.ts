import { performance } from 'node:perf_hooks';
import * as z from 'zod/mini';
import { RefPdsError } from './errors.js';
import { type HttpResult, httpRequest, parseJsonOrUndefined } from './http-request.js';

/**
 * The reference provider's UI API prefix (`@atproto/oauth-provider-api`'s `API_ENDPOINT_PREFIX`).
 * Internal to the provider: pinned with `@atproto/pds` 0.5.35; the Chromium test catches drift.
 */
export const PROVIDER_API_PREFIX = '/@atproto/oauth-provider/~api';

export interface ProviderLoginOptions {
  /** Handle (or e-mail) of the account. */
  readonly username: string;
  readonly password: string;
  /** Press "Deny access" instead of signing in and consenting. */
  readonly deny?: boolean;
  /** Consent to this scope only (a subset of the requested one), as the UI's scope picker would. */
  readonly scope?: string;
  /** Per HTTP exchange. Default 15 s. */
  readonly timeoutMs?: number;
}

/** Where the provider sent the browser back to, and how long each step took. */
export interface ProviderLoginResult {
  /** The client's redirect URI with `code`, `state`, `iss` (or `error`, `error_description`). */
  readonly redirectTo: URL;
  /** `redirectTo`'s query: what `OAuthClient.callback()` takes. */
  readonly params: URLSearchParams;
  /** The DID the provider signed in (absent when denied). */
  readonly did?: string;
  readonly timings: {
    readonly pageMs: number;
    readonly signInMs: number;
    readonly consentMs: number;
    readonly redirectMs: number;
  };
}

const CSRF_COOKIE = 'csrf-token';
const signInSchema = z.object({
  account: z.object({ did: z.string().check(z.startsWith('did:')) }),
  ephemeralToken: z.optional(z.string()),
});
const urlSchema = z.object({ url: z.string() });
const apiErrorSchema = z.object({ error: z.optional(z.string()), error_description: z.optional(z.string()) });

/** The cookies a browser would keep for the provider's origin during one sign-in. */
class CookieJar {
  readonly #cookies = new Map<string, string>();

  store(res: HttpResult): void {
    for (const line of res.setCookies) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((a) => /^\s*max-age\s*=\s*0\s*$/i.test(a));
      if (expired || value === '') this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
  }

  get(name: string): string | undefined {
    return this.#cookies.get(name);
  }

  header(): string {
    return [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

function describeApiError(res: HttpResult): string {
  const parsed = apiErrorSchema.safeParse(parseJsonOrUndefined(res.text));
  if (parsed.success && (parsed.data.error || parsed.data.error_description)) {
    return `${parsed.data.error ?? ''}: ${parsed.data.error_description ?? ''}`.trim();
  }
  return res.text.slice(0, 200);
}

/**
 * Completes the sign-in and consent of an authorization request without a browser, through
 * the reference provider's own UI API, sending exactly what its page sends:
 * 1. the authorization page as a top-level navigation (device cookies and the CSRF cookie);
 * 2. `POST …/~api/sign-in` (with `remember: false` the provider returns an ephemeral token);
 * 3. `POST …/~api/consent` with that token as `Bearer` (or `…/~api/reject` to deny);
 * 4. the provider's `/oauth/authorize/redirect` URL, which answers 303 to the client.
 * Every API call carries `Sec-Fetch-Site/Mode: same-origin`, the issuer as `Origin`, the
 * authorization page as `Referer` and the CSRF cookie echoed in `x-csrf-token`, as the
 * provider requires. The redirect is returned, not followed.
 */
export async function loginWithProviderApi(
  authorizeUrl: string | URL,
  options: ProviderLoginOptions,
): Promise<ProviderLoginResult> {
  const page = new URL(authorizeUrl);
  const origin = page.origin;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const jar = new CookieJar();
  const t0 = performance.now();
  const userAgent = 'relay-refpds/0.1 (provider API driver)';

  const pageRes = await httpRequest(page, {
    timeoutMs,
    headers: {
      'user-agent': userAgent,
      accept: 'text/html',
      'sec-fetch-site': 'cross-site',
      'sec-fetch-mode': 'navigate',
      'sec-fetch-dest': 'document',
    },
  });
  jar.store(pageRes);
  // A request the provider refuses outright is redirected straight back to the client.
  if (pageRes.status === 303 && pageRes.headers.location) {
    const redirectTo = new URL(pageRes.headers.location, origin);
    return {
      redirectTo,
      params: redirectTo.searchParams,
      timings: { pageMs: ms(t0), signInMs: 0, consentMs: 0, redirectMs: 0 },
    };
  }
  if (pageRes.status !== 200) {
    throw new RefPdsError(
      'LOGIN_FAILED',
      `The authorization page answered HTTP ${pageRes.status}: ${pageRes.text.slice(0, 200)}`,
      {
        details: { status: pageRes.status },
      },
    );
  }
  if (!jar.get(CSRF_COOKIE)) {
    throw new RefPdsError(
      'PROVIDER_CHANGED',
      `The authorization page set no "${CSRF_COOKIE}" cookie; the provider UI changed.`,
    );
  }
  const pageMs = ms(t0);

  const api = async (endpoint: string, body: unknown, bearer?: string): Promise<unknown> => {
    const res = await httpRequest(`${origin}${PROVIDER_API_PREFIX}${endpoint}`, {
      method: 'POST',
      timeoutMs,
      headers: {
        'user-agent': userAgent,
        'content-type': 'application/json',
        accept: 'application/json',
        'sec-fetch-site': 'same-origin',
        'sec-fetch-mode': 'same-origin',
        'sec-fetch-dest': 'empty',
        origin,
        referer: page.href,
        'x-csrf-token': jar.get(CSRF_COOKIE) ?? '',
        cookie: jar.header(),
        ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
      },
      body: JSON.stringify(body),
    });
    jar.store(res);
    if (res.status < 200 || res.status > 299) {
      throw new RefPdsError('LOGIN_FAILED', `${endpoint} answered HTTP ${res.status}: ${describeApiError(res)}`, {
        details: { status: res.status, endpoint },
      });
    }
    return parseJsonOrUndefined(res.text);
  };

  let did: string | undefined;
  let next: unknown;
  let signInMs = 0;
  const t1 = performance.now();
  if (options.deny) {
    next = await api('/reject', {});
  } else {
    const answer = await api('/sign-in', {
      locale: 'en',
      username: options.username,
      password: options.password,
      remember: false,
    });
    const signIn = signInSchema.safeParse(answer);
    if (!signIn.success || !signIn.data.ephemeralToken) {
      throw new RefPdsError(
        'PROVIDER_CHANGED',
        `sign-in answered without { account.did, ephemeralToken }: ${shape(answer)}.`,
      );
    }
    did = signIn.data.account.did;
    signInMs = ms(t1);
    next = await api(
      '/consent',
      { did, ...(options.scope ? { scope: options.scope } : {}) },
      signIn.data.ephemeralToken,
    );
  }
  const consentMs = ms(t1) - signInMs;
  const target = urlSchema.safeParse(next);
  if (!target.success) throw new RefPdsError('PROVIDER_CHANGED', 'consent/reject answered without { url }.');

  const t2 = performance.now();
  const redirectRes = await httpRequest(new URL(target.data.url, origin), {
    timeoutMs,
    headers: {
      'user-agent': userAgent,
      accept: 'text/html',
      'sec-fetch-site': 'same-origin',
      'sec-fetch-mode': 'navigate',
      'sec-fetch-dest': 'document',
      referer: page.href,
      cookie: jar.header(),
    },
  });
  const location = redirectRes.headers.location;
  if (redirectRes.status !== 303 || !location) {
    throw new RefPdsError(
      'PROVIDER_CHANGED',
      `/oauth/authorize/redirect answered HTTP ${redirectRes.status} without a 303 Location (response_mode other than query?).`,
    );
  }
  const redirectTo = new URL(location, origin);
  return {
    redirectTo,
    params: redirectTo.searchParams,
    ...(did ? { did } : {}),
    timings: { pageMs, signInMs, consentMs, redirectMs: ms(t2) },
  };
}

/** The keys of a JSON answer, two levels deep (never the values: they hold tokens). */
function shape(value: unknown): string {
  if (typeof value !== 'object' || value === null) return typeof value;
  return `{ ${Object.entries(value)
    .map(([k, v]) => (typeof v === 'object' && v !== null ? `${k}: { ${Object.keys(v).join(', ')} }` : k))
    .join(', ')} }`;
}

function ms(since: number): number {
  return Math.round(performance.now() - since);
}
