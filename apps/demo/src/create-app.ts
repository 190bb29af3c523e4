import { createHash } from 'node:crypto';
import { type OAuthClient, OAuthError, type OAuthSession } from '@relay/oauth-core';
import { type Context, Hono } from 'hono';
import { csrf } from 'hono/csrf';
import { secureHeaders } from 'hono/secure-headers';
import { detectAudioFormat, wavDurationSeconds } from './audio-format.js';
import { describeAuthError } from './describe-auth-error.js';
import { DemoError } from './errors.js';
import { assertValidRecord } from './lexicon-validator.js';
import { dashboardPage, errorPage, formatBytes, landingPage, STYLESHEET } from './pages.js';
import { readBoundedBody } from './read-bounded-body.js';
import { trackLexicon } from './track-lexicon.js';
import { type FetchLike, type TrackRecord, TrackRepository } from './track-repository.js';
import type { WebSession } from './web-session-store.js';
import type { LoadedSession, WebSessions } from './web-sessions.js';

/** The scope the portal asks for: write its own records and upload audio, nothing else. */
export const DEMO_SCOPE = 'atproto repo:app.relay.track blob:audio/*';

/** Where the app logs (the CLI passes the console; tests pass nothing). */
export interface DemoLogger {
  info?(message: string, fields?: Record<string, unknown>): void;
  warn?(message: string, fields?: Record<string, unknown>): void;
}

export interface DemoAppOptions {
  client: OAuthClient;
  sessions: WebSessions;
  /** The safe fetch for public JSON reads from PDSs (listRecords, getRecord). */
  readFetch: FetchLike;
  /** The safe fetch for audio blobs (`com.atproto.sync.getBlob`): a cap at least `maxUploadBytes`. */
  blobFetch: FetchLike;
  /** The largest audio file accepted, in bytes. */
  maxUploadBytes: number;
  /** The redirect URI to send at `authorize` (loopback clients: with the port actually listened on). */
  redirectUri?: string;
  /** The origin browsers use (`https://portal.example.com`, `http://127.0.0.1:3000`): form posts must come from it. */
  origin: string;
  /** Loopback development: requests to another host (`localhost`) are redirected to `origin`, so cookies stay on one host. */
  canonicalHost?: boolean;
  scope?: string;
  logger?: DemoLogger;
}

type Env = { Variables: { web: LoadedSession } };

/** Binds a login to the browser that started it: the callback must come back with the same web session. */
function loginBinding(webSessionId: string): string {
  return createHash('sha256').update(`relay-demo-login:${webSessionId}`).digest('base64url');
}

function parseDuration(raw: string): number | undefined {
  const m = /^\s*(?:(\d{1,5}):([0-5]\d)|(\d{1,6}))\s*$/.exec(raw);
  if (!m) return undefined;
  return m[3] !== undefined ? Number(m[3]) : Number(m[1]) * 60 + Number(m[2]);
}

function field(form: FormData, name: string): string {
  const v = form.get(name);
  return typeof v === 'string' ? v.trim() : '';
}

const SESSION_OVER = new Set(['SESSION_NOT_FOUND', 'SESSION_EXPIRED', 'KEY_RETIRED']);

/**
 * The portal as a Hono app: landing page and handle form → `authorize` → the PDS's consent page →
 * `/callback` → dashboard (upload, list, play, delete) → sign out. Every form carries the web
 * session's CSRF token, and posts must also come from `origin`.
 */
export function createDemoApp(options: DemoAppOptions): Hono<Env> {
  const { client, sessions, maxUploadBytes } = options;
  const scope = options.scope ?? DEMO_SCOPE;
  const origin = new URL(options.origin).origin;
  const log = options.logger ?? {};
  // Multipart framing and the text fields around the file.
  const formLimit = maxUploadBytes + 64 * 1024;
  // Oversized uploads are read and discarded up to this much, so the browser sees the answer.
  const drainLimit = formLimit + Math.max(formLimit * 3, 8 * 1024 * 1024);
  const app = new Hono<Env>();

  app.use(
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'none'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        mediaSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        frameAncestors: ["'none'"],
      },
      referrerPolicy: 'same-origin',
    }),
  );

  if (options.canonicalHost) {
    app.use(async (c, next) => {
      const url = new URL(c.req.url);
      if (url.host !== new URL(origin).host && c.req.method === 'GET') {
        return c.redirect(`${origin}${url.pathname}${url.search}`, 307);
      }
      await next();
    });
  }

  // Defence in depth under the per-session token: browsers' form posts must come from our origin.
  app.use(csrf({ origin }));

  app.get('/style.css', (c) =>
    c.body(STYLESHEET, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'max-age=300' }),
  );
  app.get('/healthz', (c) => c.json({ ok: true }));

  if (client.kind === 'confidential' || client.metadata.client_id.startsWith('https://')) {
    app.get('/client-metadata.json', (c) => c.json(client.metadata, 200, { 'cache-control': 'max-age=300' }));
    app.get('/jwks.json', (c) => c.json(client.jwks, 200, { 'cache-control': 'max-age=300' }));
  }

  /** Renders a page with the session's pending flash message (then forgets it). */
  async function takeFlash(web: LoadedSession): Promise<WebSession['flash']> {
    const flash = web.session.flash;
    if (flash) {
      delete web.session.flash;
      await sessions.save(web.id, web.session);
    }
    return flash;
  }

  async function redirectWithFlash(c: Context, web: LoadedSession, flash: WebSession['flash'], to: string) {
    web.session.flash = flash;
    await sessions.save(web.id, web.session);
    return c.redirect(to, 303);
  }

  /** The signed-in artist's OAuth session, or a redirect to the landing page. */
  async function restore(c: Context<Env>): Promise<OAuthSession | Response> {
    const web = c.get('web');
    const { did, oauthSessionId } = web.session;
    if (!did || !oauthSessionId) return c.redirect('/', 303);
    try {
      return await client.restore(did, oauthSessionId);
    } catch (err) {
      if (err instanceof OAuthError && SESSION_OVER.has(err.code)) {
        const fresh = await sessions.rotate(c, web.id, {});
        return redirectWithFlash(c, fresh, { kind: 'error', text: describeAuthError(err).text }, '/');
      }
      throw err;
    }
  }

  function repoFor(session: OAuthSession): TrackRepository {
    return new TrackRepository({ session, readFetch: options.readFetch, blobFetch: options.blobFetch });
  }

  // Every page runs with a web session (anonymous until sign-in), so every form has a token.
  app.use(async (c, next) => {
    c.set('web', await sessions.ensure(c));
    await next();
  });

  // CSRF: every state-changing request must echo the session's token (checked before any work).
  async function checkToken(c: Context<Env>, form: FormData | Record<string, unknown>): Promise<Response | undefined> {
    const token = form instanceof FormData ? form.get('_csrf') : form._csrf;
    if (sessions.checkCsrf(c.get('web').session, token)) return undefined;
    log.warn?.('csrf token refused', { path: c.req.path });
    return c.html(
      errorPage({
        title: 'This form has expired',
        session: c.get('web').session,
        message: {
          kind: 'error',
          text: 'This form expired or did not come from this site. Reload the page and try again.',
        },
      }),
      403,
    );
  }

  app.get('/', async (c) => {
    const web = c.get('web');
    if (web.session.did) return c.redirect('/dashboard', 303);
    const flash = await takeFlash(web);
    return c.html(landingPage({ title: 'Sign in', session: web.session, message: flash }));
  });

  app.post('/login', async (c) => {
    const web = c.get('web');
    const body = await c.req.parseBody();
    const refused = await checkToken(c, body);
    if (refused) return refused;
    const handle = typeof body.handle === 'string' ? body.handle.trim() : '';
    try {
      const url = await client.authorize(handle, {
        scope,
        state: loginBinding(web.id),
        ...(options.redirectUri ? { redirectUri: options.redirectUri } : {}),
      });
      web.session.handle = handle.replace(/^@/, '').toLowerCase();
      await sessions.save(web.id, web.session);
      return c.redirect(url.href, 303);
    } catch (err) {
      const human = describeAuthError(err, handle);
      log.warn?.('authorize failed', { handle, code: (err as { code?: string }).code, error: (err as Error).message });
      return c.html(
        landingPage(
          { title: 'Sign in', session: web.session, message: { kind: 'error', text: human.text } },
          handle,
          true,
        ),
        human.status,
      );
    }
  });

  app.get('/callback', async (c) => {
    const web = c.get('web');
    // CALLBACK-03: the callback never forwards anywhere taken from the query; it ends on our pages.
    let result: Awaited<ReturnType<OAuthClient['callback']>>;
    try {
      result = await client.callback(new URL(c.req.url).searchParams);
    } catch (err) {
      const human = describeAuthError(err);
      log.warn?.('callback failed', { code: (err as { code?: string }).code, error: (err as Error).message });
      return redirectWithFlash(c, web, { kind: 'error', text: human.text }, '/');
    }
    const { session, state } = result;
    if (state !== loginBinding(web.id)) {
      // Login CSRF: a callback started in another browser (or a forged link) must not sign this one in.
      await session.signOut().catch(() => undefined);
      return redirectWithFlash(
        c,
        web,
        {
          kind: 'error',
          text: 'This sign-in was started in another browser window or has expired. Please sign in again.',
        },
        '/',
      );
    }
    const handle = web.session.handle;
    // Against session fixation: signing in gets a new session id and a new CSRF token.
    const signedIn = await sessions.rotate(c, web.id, {
      did: session.did,
      oauthSessionId: session.sessionId,
      ...(handle ? { handle } : {}),
    });
    const missing = session.scopeDiff.missing;
    const text =
      missing.length > 0
        ? `Signed in, but your PDS did not grant ${missing.join(', ')}; publishing may not work.`
        : `Signed in as @${handle ?? session.did}.`;
    return redirectWithFlash(c, signedIn, { kind: missing.length > 0 ? 'error' : 'ok', text }, '/dashboard');
  });

  async function renderDashboard(
    c: Context<Env>,
    session: OAuthSession,
    message: WebSession['flash'],
    status: 200 | 400 | 403 | 413 | 415 | 502 = 200,
    form?: Record<string, string>,
  ) {
    const web = c.get('web');
    let listed: { tracks: Awaited<ReturnType<TrackRepository['list']>>['tracks']; skipped: number } = {
      tracks: [],
      skipped: 0,
    };
    let shown = message;
    try {
      listed = await repoFor(session).list();
    } catch (err) {
      if (!(err instanceof DemoError)) throw err;
      shown = { kind: 'error', text: message ? `${message.text} ${err.message}` : err.message };
      if (status === 200) status = 502;
    }
    return c.html(
      dashboardPage(
        { title: 'Your tracks', session: web.session, message: shown },
        { ...listed, maxUploadBytes, form },
      ),
      status,
    );
  }

  app.get('/dashboard', async (c) => {
    const session = await restore(c);
    if (session instanceof Response) return session;
    return renderDashboard(c, session, await takeFlash(c.get('web')));
  });

  app.post('/tracks', async (c) => {
    const session = await restore(c);
    if (session instanceof Response) return session;
    const tooLarge = (size: number | undefined, close: boolean) => {
      const text = `That file is too large${size ? ` (${formatBytes(size)} with the form)` : ''}: the limit is ${formatBytes(maxUploadBytes)}.`;
      if (close) c.header('connection', 'close');
      return renderDashboard(c, session, { kind: 'error', text }, 413);
    };
    const declared = Number(c.req.header('content-length') ?? Number.NaN);
    if (declared > drainLimit) return tooLarge(declared, true);
    const body = await readBoundedBody(c.req.raw.body, formLimit, drainLimit);
    if (!body.ok) return tooLarge(body.size, !body.drained);
    let form: FormData;
    try {
      form = await new Response(body.bytes, {
        headers: { 'content-type': c.req.header('content-type') ?? '' },
      }).formData();
    } catch {
      return renderDashboard(
        c,
        session,
        { kind: 'error', text: 'The upload form arrived incomplete. Please try again.' },
        400,
      );
    }
    const refused = await checkToken(c, form);
    if (refused) return refused;
    const values = {
      title: field(form, 'title'),
      artist: field(form, 'artist'),
      genre: field(form, 'genre'),
      duration: field(form, 'duration'),
      description: field(form, 'description'),
    };
    const fail = (status: 400 | 413 | 415 | 502, text: string) =>
      renderDashboard(c, session, { kind: 'error', text }, status, values);
    const file = form.get('audio');
    if (!(file instanceof File) || file.size === 0) return fail(400, 'Choose an audio file to upload.');
    if (file.size > maxUploadBytes) {
      return fail(
        413,
        `That file is too large (${formatBytes(file.size)}): the limit is ${formatBytes(maxUploadBytes)}.`,
      );
    }
    const bytes = new Uint8Array(await file.arrayBuffer());
    // The browser's Content-Type is the uploader's claim: the bytes decide what the file is.
    const format = detectAudioFormat(bytes);
    if (!format) {
      return fail(415, `“${file.name}” is not an audio file we can publish. Upload WAV, MP3, Ogg, FLAC, M4A or WebM.`);
    }
    if (!values.title) return fail(400, 'Give the track a title.');
    if (!values.artist) return fail(400, 'Say who the artist is.');
    const duration = values.duration
      ? parseDuration(values.duration)
      : format.mimeType === 'audio/wav'
        ? wavDurationSeconds(bytes)
        : undefined;
    if (duration === undefined) {
      return fail(
        400,
        values.duration
          ? `“${values.duration}” is not a duration: write it as 3:25 or 205.`
          : 'Enter the duration (m:ss).',
      );
    }
    const draft = {
      $type: 'app.relay.track' as const,
      title: values.title,
      artist: values.artist,
      ...(values.description ? { description: values.description } : {}),
      ...(values.genre ? { genre: values.genre } : {}),
      audio: { $type: 'blob' as const, ref: { $link: 'pending' }, mimeType: format.mimeType, size: bytes.byteLength },
      duration,
      createdAt: new Date().toISOString(),
    };
    try {
      // Validate before any write, so an invalid form never leaves an orphan blob behind.
      assertValidRecord(trackLexicon, draft);
      const repo = repoFor(session);
      const blob = await repo.uploadAudio(bytes, format.mimeType);
      const record: TrackRecord = { ...draft, audio: blob };
      assertValidRecord(trackLexicon, record);
      await repo.create(record);
    } catch (err) {
      if (err instanceof DemoError) {
        const status = err.code === 'RECORD_INVALID' ? 400 : 502;
        return fail(
          status,
          err.code === 'RECORD_INVALID' ? `Please fix the form: ${(err.details as string[]).join('; ')}.` : err.message,
        );
      }
      throw err;
    }
    log.info?.('track published', { did: session.did, title: values.title, bytes: bytes.byteLength });
    return redirectWithFlash(c, c.get('web'), { kind: 'ok', text: `Published “${values.title}”.` }, '/dashboard');
  });

  app.post('/tracks/:rkey/delete', async (c) => {
    const session = await restore(c);
    if (session instanceof Response) return session;
    const refused = await checkToken(c, await c.req.parseBody());
    if (refused) return refused;
    const repo = repoFor(session);
    try {
      const track = await repo.get(c.req.param('rkey'));
      await repo.delete(track.rkey);
      return redirectWithFlash(c, c.get('web'), { kind: 'ok', text: `Deleted “${track.record.title}”.` }, '/dashboard');
    } catch (err) {
      if (err instanceof DemoError)
        return renderDashboard(
          c,
          session,
          { kind: 'error', text: err.message },
          err.code === 'TRACK_NOT_FOUND' ? 400 : 502,
        );
      throw err;
    }
  });

  app.get('/tracks/:rkey/audio', async (c) => {
    const session = await restore(c);
    if (session instanceof Response) return session;
    try {
      const { track, response } = await repoFor(session).audio(c.req.param('rkey'), c.req.header('range'));
      const headers = new Headers({
        // The record's type was checked against the lexicon (audio/*); the PDS's header is not trusted.
        'content-type': track.record.audio.mimeType,
        'x-content-type-options': 'nosniff',
        'content-disposition': 'inline',
        'cache-control': 'private, max-age=300',
        'content-security-policy': "default-src 'none'; sandbox",
      });
      for (const name of ['content-length', 'content-range', 'accept-ranges', 'etag']) {
        const v = response.headers.get(name);
        if (v) headers.set(name, v);
      }
      return new Response(response.body, { status: response.status === 206 ? 206 : 200, headers });
    } catch (err) {
      if (err instanceof DemoError) return c.text(err.message, err.code === 'TRACK_NOT_FOUND' ? 404 : 502);
      throw err;
    }
  });

  app.post('/logout', async (c) => {
    const web = c.get('web');
    const refused = await checkToken(c, await c.req.parseBody());
    if (refused) return refused;
    let text = 'You are signed out.';
    const { did, oauthSessionId } = web.session;
    if (did && oauthSessionId) {
      try {
        // REVOKE-01: tell the authorization server; the local session is deleted whatever it says.
        await client.revoke(did, oauthSessionId);
      } catch (err) {
        if ((err as { code?: string }).code === 'REVOCATION_FAILED') {
          text = 'You are signed out here; your PDS could not be told, so its tokens will simply expire.';
        } else if (!SESSION_OVER.has((err as { code?: string }).code ?? '')) {
          throw err;
        }
      }
    }
    const fresh = await sessions.rotate(c, web.id, {});
    return redirectWithFlash(c, fresh, { kind: 'ok', text }, '/');
  });

  app.notFound((c) =>
    c.html(errorPage({ title: 'Page not found', session: c.get('web')?.session ?? { csrf: '', createdAt: 0 } }), 404),
  );

  app.onError((err, c) => {
    if ('getResponse' in err && typeof err.getResponse === 'function') return err.getResponse() as Response;
    log.warn?.('request failed', { path: c.req.path, code: (err as { code?: string }).code, error: err.message });
    const session = c.get('web')?.session ?? { csrf: '', createdAt: 0 };
    const storeDown = ['STORE_UNAVAILABLE', 'STORE_ERROR', 'LOCK_TIMEOUT'].includes(
      (err as { code?: string }).code ?? '',
    );
    return c.html(
      errorPage({
        title: 'Something went wrong',
        session,
        message: {
          kind: 'error',
          text: storeDown
            ? 'The portal cannot reach its session store right now. Try again in a moment.'
            : 'Something went wrong on our side. Try again in a moment.',
        },
      }),
      storeDown ? 503 : 500,
    );
  });

  return app;
}
