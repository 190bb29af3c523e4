import { createHash } from 'node:crypto';
import type { Logger, RecordSealer } from '@relay/oauth-core';
import type { Cluster, Redis } from 'ioredis';
import { RedisStoreError } from './errors.js';

/** A standalone client or a Cluster: both route a script by its first key. */
export type RedisClient = Redis | Cluster;

/** A Lua script run by EVALSHA, falling back to EVAL once per node that has not cached it. */
export interface LuaScript {
  source: string;
  sha: string;
}

export function lua(source: string): LuaScript {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

// Reply errors that mean "the server cannot serve right now", not "the command is wrong".
const TRANSIENT = /^(CLUSTERDOWN|TRYAGAIN|LOADING|MASTERDOWN|READONLY|BUSY)\b/;

interface InFlight {
  deadline: number;
  action: string;
  reject: (err: unknown) => void;
}

/**
 * Keys are `<prefix><kind>:{<id>}`. The braces are a Cluster hash tag: every key one operation
 * touches carries the same tag, so it lives in one slot. Braces and `%` inside ids are
 * percent-escaped, so an id can neither end the tag early nor collide with another id.
 */
export function escapeKeyPart(id: string): string {
  return /[%{}]/.test(id) ? id.replace(/[%{}]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`) : id;
}

/**
 * What every store of one `RedisStores` shares, and the single place where client failures become
 * `RedisStoreError`s. Calls fail fast while the connection is down (no offline queueing by us),
 * and every call is bounded by `commandTimeoutMs` (checked every quarter of it, at most 250 ms).
 * @internal
 */
export class RedisContext {
  readonly #client: Redis;
  /** Calls waiting for a reply, checked by the watchdog against their deadline. */
  readonly #inFlight = new Set<InFlight>();
  #watchdog: ReturnType<typeof setInterval> | undefined;

  constructor(
    readonly client: RedisClient,
    readonly prefix: string,
    readonly sealer: RecordSealer,
    readonly logger: Logger,
    readonly commandTimeoutMs: number,
  ) {
    // Both classes share the command methods; their TypeScript declarations differ only in context.
    this.#client = client as Redis;
  }

  key(kind: string, id: string): string {
    return `${this.prefix}${kind}:{${escapeKeyPart(id)}}`;
  }

  /** Runs one command (or script) against the client with fail-fast and timeout semantics. */
  call<T>(action: string, fn: (client: Redis) => Promise<T>): Promise<T> {
    if (this.client.status !== 'ready') return this.#connected(action).then(() => this.#send(action, fn));
    return this.#send(action, fn);
  }

  // One watchdog interval per context instead of a timer per call: a setTimeout/clearTimeout pair
  // costs more than the rest of this wrapper together, and this runs on every call.
  #send<T>(action: string, fn: (client: Redis) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const entry: InFlight = { deadline: Date.now() + this.commandTimeoutMs, action, reject };
      this.#inFlight.add(entry);
      if (!this.#watchdog) this.#startWatchdog();
      const fail = (err: unknown) => {
        this.#inFlight.delete(entry);
        reject(this.translate(err, action));
      };
      try {
        fn(this.#client).then((value) => {
          this.#inFlight.delete(entry);
          resolve(value);
        }, fail);
      } catch (err) {
        fail(err);
      }
    });
  }

  #startWatchdog(): void {
    const every = Math.max(5, Math.min(250, this.commandTimeoutMs / 4));
    this.#watchdog = setInterval(() => {
      const now = Date.now();
      for (const entry of this.#inFlight) {
        if (entry.deadline > now) continue;
        this.#inFlight.delete(entry);
        entry.reject(
          new RedisStoreError(
            'STORE_UNAVAILABLE',
            `Cannot ${entry.action}: Redis did not answer within ${this.commandTimeoutMs} ms.`,
          ),
        );
      }
      if (this.#inFlight.size === 0) {
        clearInterval(this.#watchdog);
        this.#watchdog = undefined;
      }
    }, every);
    this.#watchdog.unref();
  }

  /** EVALSHA, or EVAL when this node has not seen the script yet (after a restart, a failover). */
  script<T>(action: string, script: LuaScript, keys: string[], args: (string | number)[]): Promise<T> {
    return this.call(action, async (client) => {
      try {
        return (await client.evalsha(script.sha, keys.length, ...keys, ...args)) as T;
      } catch (err) {
        if (!String((err as Error)?.message).startsWith('NOSCRIPT')) throw err;
        return (await client.eval(script.source, keys.length, ...keys, ...args)) as T;
      }
    });
  }

  async #connected(action: string): Promise<void> {
    const status = this.client.status;
    if (status === 'ready') return;
    if (status === 'wait') {
      // lazyConnect clients: connect on first use.
      this.client.connect().catch(() => undefined);
    } else if (status !== 'connecting' && status !== 'connect') {
      // reconnecting / close / end: fail now instead of queueing a write for an unknown later.
      throw new RedisStoreError('STORE_UNAVAILABLE', `Cannot ${action}: Redis is not connected (${status}).`);
    }
    await new Promise<void>((resolve, reject) => {
      const done = (err?: Error) => {
        clearTimeout(timer);
        this.client.off('ready', onReady);
        this.client.off('end', onEnd);
        if (err) reject(err);
        else resolve();
      };
      const onReady = () => done();
      const onEnd = () =>
        done(new RedisStoreError('STORE_UNAVAILABLE', `Cannot ${action}: the Redis connection was closed.`));
      const timer = setTimeout(
        () =>
          done(
            new RedisStoreError(
              'STORE_UNAVAILABLE',
              `Cannot ${action}: Redis did not become ready within ${this.commandTimeoutMs} ms.`,
            ),
          ),
        this.commandTimeoutMs,
      );
      this.client.once('ready', onReady);
      this.client.once('end', onEnd);
      if (this.client.status === 'ready') done();
    });
  }

  translate(err: unknown, action: string): RedisStoreError {
    if (err instanceof RedisStoreError) return err;
    const e = err as { name?: string; message?: string } | null;
    const message = String(e?.message ?? err);
    if (e?.name === 'ReplyError' && !TRANSIENT.test(message)) {
      // Reply errors name the command, never our values; keep the first line for the operator.
      return new RedisStoreError('STORE_ERROR', `Redis refused to ${action}: ${message.split('\n')[0]}`, {
        cause: err,
      });
    }
    return new RedisStoreError('STORE_UNAVAILABLE', `Cannot ${action}: Redis is unavailable (${message}).`, {
      cause: err,
    });
  }

  /** Parses a stored record (after opening it, when sealed) into a fresh object. */
  decode<V>(stored: string, aad: string, what: string): V | Promise<V> {
    return this.sealer.decodeRecord<V>(stored, aad, what);
  }

  /** Serialises (and seals) a value for storage. */
  encode(value: unknown, aad: string, what: string): string | Promise<string> {
    return this.sealer.encodeRecord(value, aad, what);
  }
}

export function requireString(value: unknown, name: string): string {
  if (typeof value !== 'string') {
    throw new RedisStoreError('INVALID_INPUT', `${name} must be a string, got ${typeof value}.`);
  }
  return value;
}

export function requireDuration(value: unknown, name: string, min = 1): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new RedisStoreError('INVALID_INPUT', `${name} must be a finite number of milliseconds >= ${min}.`);
  }
  return value;
}
