/** What the portal keeps per browser, server-side; the cookie carries only the id. */
export interface WebSession {
  /** The per-session CSRF token every form must echo. */
  csrf: string;
  /** Set once signed in: the account and the `@relay/oauth-core` session id. */
  did?: string;
  oauthSessionId?: string;
  handle?: string;
  /** A one-time message for the next page (after a redirect). */
  flash?: { kind: 'ok' | 'error'; text: string };
  createdAt: number;
}

/** Where web sessions live: SQLite, Redis or memory. Values expire after `ttlMs`. */
export interface WebSessionStore {
  get(id: string): Promise<WebSession | undefined>;
  set(id: string, session: WebSession, ttlMs: number): Promise<void>;
  delete(id: string): Promise<void>;
}

/** In-process web sessions (tests, single-process demos). */
export class MemoryWebSessionStore implements WebSessionStore {
  readonly #map = new Map<string, { value: string; expiresAt: number }>();

  async get(id: string): Promise<WebSession | undefined> {
    const hit = this.#map.get(id);
    if (!hit) return undefined;
    if (hit.expiresAt <= Date.now()) {
      this.#map.delete(id);
      return undefined;
    }
    return JSON.parse(hit.value) as WebSession;
  }

  async set(id: string, session: WebSession, ttlMs: number): Promise<void> {
    this.#map.set(id, { value: JSON.stringify(session), expiresAt: Date.now() + ttlMs });
  }

  async delete(id: string): Promise<void> {
    this.#map.delete(id);
  }
}
