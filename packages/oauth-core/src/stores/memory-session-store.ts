import type { SessionStore } from './contracts.js';

/**
 * In-process {@link SessionStore}. Values are structured-cloned on the way in and out, so a caller
 * mutating a returned object cannot change what is stored (a durable store behaves the same way).
 */
export class MemorySessionStore<V = unknown> implements SessionStore<V> {
  readonly #byDid = new Map<string, Map<string, V>>();

  async get(did: string, sessionId: string): Promise<V | undefined> {
    const value = this.#byDid.get(did)?.get(sessionId);
    return value === undefined ? undefined : structuredClone(value);
  }

  async set(did: string, sessionId: string, value: V): Promise<void> {
    let sessions = this.#byDid.get(did);
    if (!sessions) {
      sessions = new Map();
      this.#byDid.set(did, sessions);
    }
    sessions.set(sessionId, structuredClone(value));
  }

  async delete(did: string, sessionId: string): Promise<void> {
    const sessions = this.#byDid.get(did);
    sessions?.delete(sessionId);
    if (sessions?.size === 0) this.#byDid.delete(did);
  }

  async list(did: string): Promise<string[]> {
    return [...(this.#byDid.get(did)?.keys() ?? [])];
  }
}
