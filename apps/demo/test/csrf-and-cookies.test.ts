import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpBrowser } from './support/http-browser.js';
import { type PortalFixture, startPortal, tracksOnPds } from './support/portal.js';
import { generateWav } from './support/wav.js';

// Server-side checks of the portal's web security on testnet: the session cookie's flags and
// contents, the per-session CSRF token on every form, session rotation at sign-in, and the
// binding of a login's callback to the browser that started it.

let portal: PortalFixture;
const parRequests = () => portal.network.testnet?.requests('par').length ?? 0;

beforeAll(async () => {
  portal = await startPortal('testnet');
});
afterAll(async () => {
  await portal?.stop();
});

function cookieAttributes(line: string): Record<string, string | true> {
  const [, ...attrs] = line.split(';');
  return Object.fromEntries(
    attrs.map((a) => {
      const [k = '', v] = a.trim().split('=');
      return [k.toLowerCase(), v ?? true];
    }),
  );
}

describe('the session cookie', () => {
  it('is signed, httpOnly, SameSite=Lax, Path=/, and holds only a 256-bit random id', async () => {
    const browser = new HttpBrowser(portal.demo.url);
    const res = await browser.request('/');
    expect(res.status).toBe(200);
    const line = browser.lastSetCookie.find((l) => l.startsWith('relay_sid='));
    expect(line).toBeDefined();
    const attrs = cookieAttributes(line as string);
    expect(attrs.httponly).toBe(true);
    expect(attrs.samesite).toBe('Lax');
    expect(attrs.path).toBe('/');
    expect(Number(attrs['max-age'])).toBe(14 * 24 * 3600);
    // http://127.0.0.1 development: no Secure flag (production uses __Host- and Secure, see production-mode.test.ts).
    expect(attrs.secure).toBeUndefined();
    const value = decodeURIComponent(browser.cookies.get('relay_sid') as string);
    const [id, signature] = value.split('.');
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(signature).toMatch(/^[A-Za-z0-9+/]{43}=$/); // HMAC-SHA256, base64
  });

  it('gets a new id at sign-in (no fixation); the signed-in cookie still names no account', async () => {
    const browser = new HttpBrowser(portal.demo.url);
    await browser.request('/');
    const before = browser.cookies.get('relay_sid') as string;
    const { res } = await browser.login(portal.artist.handle);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/dashboard');
    const after = browser.cookies.get('relay_sid') as string;
    expect(after).not.toBe(before);
    const decoded = decodeURIComponent(after);
    expect(decoded).not.toContain(portal.artist.did);
    expect(decoded).not.toContain(portal.artist.handle);
    expect((await browser.request('/dashboard')).status).toBe(200);

    // The pre-login cookie is dead: presenting it is not signed in.
    const attacker = new HttpBrowser(portal.demo.url);
    attacker.cookies.set('relay_sid', before);
    const page = await attacker.request('/dashboard');
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/');
  });

  it('with a forged signature is ignored: a fresh anonymous session, not the signed-in one', async () => {
    const browser = new HttpBrowser(portal.demo.url);
    await browser.login(portal.artist.handle);
    const value = decodeURIComponent(browser.cookies.get('relay_sid') as string);
    const [id] = value.split('.');
    const forged = new HttpBrowser(portal.demo.url);
    forged.cookies.set('relay_sid', encodeURIComponent(`${id}.${'A'.repeat(43)}=`));
    const res = await forged.request('/dashboard');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/');
    expect(decodeURIComponent(forged.cookies.get('relay_sid') as string).split('.')[0]).not.toBe(id);
  });
});

describe('CSRF: every form needs this session’s token', () => {
  it('/login refuses a missing, wrong or other session’s token with 403, before any request to the PDS', async () => {
    const browser = new HttpBrowser(portal.demo.url);
    const mine = await browser.csrf('/');
    const other = await new HttpBrowser(portal.demo.url).csrf('/');
    const before = parRequests();
    for (const token of [undefined, '', 'x'.repeat(43), other]) {
      const form: Record<string, string> = { handle: portal.artist.handle };
      if (token !== undefined) form._csrf = token;
      const res = await browser.request('/login', { form });
      expect(res.status).toBe(403);
      expect(await res.text()).toContain('This form expired or did not come from this site');
    }
    expect(parRequests()).toBe(before);
    // The right token works.
    const ok = await browser.request('/login', { form: { _csrf: mine, handle: portal.artist.handle } });
    expect(ok.status).toBe(303);
    expect(parRequests()).toBe(before + 1);
  });

  it('a cross-site post is refused even with a valid token (Origin check on top of the token)', async () => {
    const browser = new HttpBrowser(portal.demo.url);
    const token = await browser.csrf('/');
    const before = parRequests();
    const res = await browser.request('/login', {
      form: { _csrf: token, handle: portal.artist.handle },
      crossSite: true,
    });
    expect(res.status).toBe(403);
    expect(parRequests()).toBe(before);
  });

  it('upload, delete and sign-out refuse a post without the token, and change nothing', async () => {
    const browser = new HttpBrowser(portal.demo.url);
    await browser.login(portal.artist.handle);
    const token = await browser.csrf('/dashboard');
    const blobsBefore = portal.network.testnet?.pds.blobs.size;

    const upload = (csrf?: string) => {
      const form = new FormData();
      if (csrf !== undefined) form.set('_csrf', csrf);
      form.set('title', 'Forged');
      form.set('artist', 'Mallory');
      form.set('audio', new File([generateWav({ seconds: 1 })], 'a.wav', { type: 'audio/wav' }));
      return browser.request('/tracks', { form });
    };
    expect((await upload()).status).toBe(403);
    expect((await upload('not-the-token')).status).toBe(403);
    expect(portal.network.testnet?.pds.blobs.size).toBe(blobsBefore);
    expect(await tracksOnPds(portal.network.pdsUrl, portal.artist.did)).toHaveLength(0);

    const published = await upload(token);
    expect(published.status).toBe(303);
    const [track] = await tracksOnPds(portal.network.pdsUrl, portal.artist.did);
    const rkey = track?.uri.split('/').pop() as string;

    expect((await browser.request(`/tracks/${rkey}/delete`, { form: {} })).status).toBe(403);
    expect(await tracksOnPds(portal.network.pdsUrl, portal.artist.did)).toHaveLength(1);
    expect((await browser.request('/logout', { form: { _csrf: 'nope' } })).status).toBe(403);
    expect((await browser.request('/dashboard')).status).toBe(200); // still signed in

    expect((await browser.request(`/tracks/${rkey}/delete`, { form: { _csrf: token } })).status).toBe(303);
    expect(await tracksOnPds(portal.network.pdsUrl, portal.artist.did)).toHaveLength(0);
    const out = await browser.request('/logout', { form: { _csrf: token } });
    expect(out.status).toBe(303);
    expect((await browser.request('/dashboard')).status).toBe(303);
  });

  it('a callback delivered to another browser does not sign that browser in (login CSRF), and its session is revoked', async () => {
    const victim = new HttpBrowser(portal.demo.url);
    await victim.request('/');
    const attacker = new HttpBrowser(portal.demo.url);
    const sessionsBefore = (await portal.demo.client.listSessions(portal.artist.did)).length;
    const { res } = await attacker.login(portal.artist.handle, { deliverCallbackTo: victim });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/');
    const landing = await (await victim.request('/')).text();
    expect(landing).toContain('This sign-in was started in another browser window');
    expect((await victim.request('/dashboard')).status).toBe(303);
    expect((await portal.demo.client.listSessions(portal.artist.did)).length).toBe(sessionsBefore);
  });

  it('CALLBACK-03: the callback ignores any redirect target in the query', async () => {
    const browser = new HttpBrowser(portal.demo.url);
    const token = await browser.csrf('/');
    const started = await browser.request('/login', { form: { _csrf: token, handle: portal.artist.handle } });
    const authorize = await fetch(started.headers.get('location') as string, { redirect: 'manual' });
    const callback = new URL(authorize.headers.get('location') as string);
    callback.searchParams.set('next', 'https://evil.example/');
    callback.searchParams.set('redirect_uri', 'https://evil.example/');
    const res = await browser.request(callback.href);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/dashboard');
  });
});
