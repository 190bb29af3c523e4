/**
 * A minimal browser over HTTP for server-side tests: a cookie jar per instance, no automatic
 * redirects, and the Origin / Sec-Fetch-Site headers a real browser sends with form posts.
 */
export class HttpBrowser {
  readonly cookies = new Map<string, string>();
  /** The raw Set-Cookie headers of the last response. */
  lastSetCookie: string[] = [];

  constructor(readonly origin: string) {}

  async request(
    pathOrUrl: string,
    init: RequestInit & { form?: Record<string, string> | FormData; crossSite?: boolean } = {},
  ) {
    const url = new URL(pathOrUrl, this.origin);
    const headers = new Headers(init.headers);
    if (url.origin === this.origin && this.cookies.size > 0) {
      headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    }
    let body = init.body;
    if (init.form) {
      body = init.form instanceof FormData ? init.form : new URLSearchParams(init.form);
      headers.set('origin', init.crossSite ? 'https://evil.example' : this.origin);
      headers.set('sec-fetch-site', init.crossSite ? 'cross-site' : 'same-origin');
    }
    const res = await fetch(url, {
      ...init,
      method: init.method ?? (init.form ? 'POST' : 'GET'),
      headers,
      ...(body !== undefined ? { body } : {}),
      redirect: 'manual',
    });
    if (url.origin === this.origin) {
      this.lastSetCookie = res.headers.getSetCookie();
      for (const line of this.lastSetCookie) {
        const [pair = ''] = line.split(';');
        const eq = pair.indexOf('=');
        const name = pair.slice(0, eq).trim();
        const value = pair.slice(eq + 1).trim();
        if (value === '' || /max-age=0/i.test(line)) this.cookies.delete(name);
        else this.cookies.set(name, value);
      }
    }
    return res;
  }

  /** The CSRF token of the first form on `path`. */
  async csrf(path = '/'): Promise<string> {
    const html = await (await this.request(path)).text();
    const m = /name="_csrf" value="([^"]+)"/.exec(html);
    if (!m?.[1]) throw new Error(`no CSRF field on ${path}`);
    return m[1];
  }

  /**
   * Signs in on a testnet portal: POST /login → the AS's authorize (scripted consent) → /callback.
   * Returns the callback URL (to replay it elsewhere) and the final response.
   */
  async login(handle: string, options: { deliverCallbackTo?: HttpBrowser } = {}) {
    const token = await this.csrf('/');
    const started = await this.request('/login', { form: { _csrf: token, handle } });
    if (started.status !== 303) throw new Error(`/login answered ${started.status}: ${await started.text()}`);
    const authorize = await fetch(started.headers.get('location') as string, { redirect: 'manual' });
    const callback = authorize.headers.get('location');
    if (!callback) throw new Error(`authorize answered ${authorize.status}: ${await authorize.text()}`);
    const res = await (options.deliverCallbackTo ?? this).request(callback);
    return { callback, res };
  }
}
