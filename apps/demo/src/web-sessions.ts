import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { deleteCookie, getSignedCookie, setSignedCookie } from 'hono/cookie';
import { DemoError } from './errors.js';
import type { WebSession, WebSessionStore } from './web-session-store.js';

export interface WebSessionsOptions {
  store: WebSessionStore;
  /** HMAC key for the cookie signature: at least 32 characters. */
  secret: string;
  /** `Secure` cookie with the `__Host-` prefix (https deployments). */
  secure: boolean;
  /** Idle lifetime of a web session. Default 14 days. */
  ttlMs?: number;
}

export interface LoadedSession {
  id: string;
  session: WebSession;
}

const newId = () => randomBytes(32).toString('base64url');

/**
 * Browser sessions: a signed, httpOnly, SameSite=Lax cookie holding only a random id; everything
 * else (the CSRF token, which account is signed in) stays server-side in the store.
 */
export class WebSessions {
  readonly cookieName: string;
  readonly ttlMs: number;
  readonly #store: WebSessionStore;
  readonly #secret: string;
  readonly #secure: boolean;

  constructor(options: WebSessionsOptions) {
    if (typeof options.secret !== 'string' || options.secret.length < 32) {
      throw new DemoError('CONFIG_INVALID', 'The cookie secret must be at least 32 characters (COOKIE_SECRET).');
    }
    this.#store = options.store;
    this.#secret = options.secret;
    this.#secure = options.secure;
    this.ttlMs = options.ttlMs ?? 14 * 24 * 3600_000;
    // __Host-: the browser only keeps it from a secure origin, for the whole host, with no Domain.
    this.cookieName = options.secure ? '__Host-relay_sid' : 'relay_sid';
  }

  /** The session the request's cookie names, if the signature holds and the store still has it. */
  async load(c: Context): Promise<LoadedSession | undefined> {
    const id = await getSignedCookie(c, this.#secret, this.cookieName);
    if (typeof id !== 'string' || id === '') return undefined;
    const session = await this.#store.get(id);
    return session ? { id, session } : undefined;
  }

  /** The current session, or a new anonymous one (with its own CSRF token) and its cookie. */
  async ensure(c: Context): Promise<LoadedSession> {
    const loaded = await this.load(c);
    if (loaded) return loaded;
    const id = newId();
    const session: WebSession = { csrf: newId(), createdAt: Date.now() };
    await this.#store.set(id, session, this.ttlMs);
    await this.#setCookie(c, id);
    return { id, session };
  }

  async save(id: string, session: WebSession): Promise<void> {
    await this.#store.set(id, session, this.ttlMs);
  }

  /**
   * Replaces the session id and CSRF token (after signing in, against session fixation): the old id
   * is deleted, the new one goes into the cookie.
   */
  async rotate(c: Context, oldId: string, session: Omit<WebSession, 'csrf' | 'createdAt'>): Promise<LoadedSession> {
    await this.#store.delete(oldId);
    const id = newId();
    const next: WebSession = { ...session, csrf: newId(), createdAt: Date.now() };
    await this.#store.set(id, next, this.ttlMs);
    await this.#setCookie(c, id);
    return { id, session: next };
  }

  /** Forgets the session and clears the cookie. */
  async destroy(c: Context, id: string): Promise<void> {
    await this.#store.delete(id);
    deleteCookie(c, this.cookieName, { path: '/', secure: this.#secure });
  }

  /** Whether `submitted` is this session's CSRF token (constant-time). */
  checkCsrf(session: WebSession, submitted: unknown): boolean {
    if (typeof submitted !== 'string' || submitted === '') return false;
    const a = Buffer.from(session.csrf);
    const b = Buffer.from(submitted);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  async #setCookie(c: Context, id: string): Promise<void> {
    await setSignedCookie(c, this.cookieName, id, this.#secret, {
      httpOnly: true,
      sameSite: 'Lax',
      secure: this.#secure,
      path: '/',
      maxAge: Math.floor(this.ttlMs / 1000),
    });
  }
}
