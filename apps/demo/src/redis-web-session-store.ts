import { DemoError } from './errors.js';
import type { WebSession, WebSessionStore } from './web-session-store.js';

/** The part of an ioredis client this store uses. */
export interface RedisCommands {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, mode: 'PX', ttlMs: number): Promise<unknown>;
  del(key: string): Promise<number>;
}

/** Web sessions as Redis strings with a TTL (`<prefix>web:<id>`), next to the OAuth sessions. */
export class RedisWebSessionStore implements WebSessionStore {
  readonly #redis: RedisCommands;
  readonly #prefix: string;

  constructor(redis: RedisCommands, prefix = 'relay-demo:') {
    this.#redis = redis;
    this.#prefix = prefix;
  }

  async get(id: string): Promise<WebSession | undefined> {
    const value = await this.#run(() => this.#redis.get(`${this.#prefix}web:${id}`));
    return value === null ? undefined : (JSON.parse(value) as WebSession);
  }

  async set(id: string, session: WebSession, ttlMs: number): Promise<void> {
    const key = `${this.#prefix}web:${id}`;
    await this.#run(() => this.#redis.set(key, JSON.stringify(session), 'PX', Math.max(1, Math.round(ttlMs))));
  }

  async delete(id: string): Promise<void> {
    await this.#run(() => this.#redis.del(`${this.#prefix}web:${id}`));
  }

  async #run<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (cause) {
      throw new DemoError('STORE_UNAVAILABLE', `Redis did not answer: ${(cause as Error).message}`, { cause });
    }
  }
}
