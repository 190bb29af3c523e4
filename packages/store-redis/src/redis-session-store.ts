import type { SessionStore, StoredSession } from '@relay/oauth-core';
import { RedisStoreError } from './errors.js';
import { lua, type RedisContext, requireString } from './redis-context.js';
import type { RedisStores } from './redis-stores.js';
import type { SessionSetOptions } from './types.js';

const aad = (did: string, sessionId: string) => `relay/session\u0000${did}\u0000${sessionId}`;

// KEYS[1] sessions hash of the DID, KEYS[2] its fence hash, KEYS[3] (standalone only) the lock's
// fence counter. ARGV: session id, record, lock key, token, [lock's current fence (Cluster)].
// Refuses (returns the newer fence) when the lock has a newer holder, or a newer holder already
// wrote this session; otherwise writes the record and remembers the fence, atomically.
const FENCED_SET = lua(`
local current = tonumber(ARGV[5] or redis.call('GET', KEYS[3]) or '0')
local token = tonumber(ARGV[4])
if current > token then return current end
local seen = redis.call('HGET', KEYS[2], ARGV[1])
if seen then
  local sep = string.find(seen, ' ', 1, true)
  local seenToken = tonumber(string.sub(seen, 1, sep - 1))
  if string.sub(seen, sep + 1) == ARGV[3] and seenToken > token then return seenToken end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[4] .. ' ' .. ARGV[3])
return 0
`);

const DELETE = lua(`
redis.call('HDEL', KEYS[2], ARGV[1])
return redis.call('HDEL', KEYS[1], ARGV[1])
`);

/**
 * Sessions: one Redis hash per DID (`<prefix>sessions:{did}`), one field per session id, so
 * `get`/`set`/`delete`/`list` are single commands on one key and a record is replaced whole.
 * Fenced writes (REFRESH-03) run one Lua script over keys sharing the DID's hash tag; on a
 * standalone server the same script also reads the lock's fence counter, so the check and the
 * write are one atomic step. On a Cluster the lock's counter lives in another slot: it is read just
 * before the script, and the script still refuses a write older than one already made.
 */
export class RedisSessionStore<V = StoredSession> implements SessionStore<V> {
  readonly #ctx: RedisContext;
  readonly #cluster: boolean;

  constructor(stores: RedisStores) {
    this.#ctx = stores.context;
    this.#cluster = stores.isCluster;
  }

  #keys(did: string): [string, string] {
    return [this.#ctx.key('sessions', did), this.#ctx.key('session-fences', did)];
  }

  async get(did: string, sessionId: string): Promise<V | undefined> {
    requireString(did, 'did');
    requireString(sessionId, 'sessionId');
    const [hash] = this.#keys(did);
    const stored = await this.#ctx.call('read a session', (r) => r.hget(hash, sessionId));
    return stored === null ? undefined : this.#ctx.decode<V>(stored, aad(did, sessionId), 'session');
  }

  async set(did: string, sessionId: string, value: V, options?: SessionSetOptions): Promise<void> {
    requireString(did, 'did');
    requireString(sessionId, 'sessionId');
    const encoded = this.#ctx.encode(value, aad(did, sessionId), 'session');
    // Unsealed records are encoded synchronously: skip the extra microtask of awaiting a string.
    const stored = typeof encoded === 'string' ? encoded : await encoded;
    const [hash, fences] = this.#keys(did);
    const fence = options?.fence;
    if (!fence) {
      await this.#ctx.call('store a session', (r) => r.hset(hash, sessionId, stored));
      return;
    }
    requireString(fence.lockKey, 'fence.lockKey');
    if (!Number.isSafeInteger(fence.token)) {
      throw new RedisStoreError('INVALID_INPUT', 'fence.token must be the integer a lock lease carried.');
    }
    const fenceKey = this.#ctx.key('lock-fence', fence.lockKey);
    const args: (string | number)[] = [sessionId, stored, fence.lockKey, fence.token];
    let keys = [hash, fences, fenceKey];
    if (this.#cluster) {
      const current = await this.#ctx.call('read a lock fence', (r) => r.get(fenceKey));
      args.push(current ?? '0');
      keys = [hash, fences];
    }
    const newer = await this.#ctx.script<number>('store a session', FENCED_SET, keys, args);
    // REFRESH-03: a newer lock holder exists: this writer's lease ended, its data is stale.
    if (newer !== 0) {
      throw new RedisStoreError(
        'STORE_FENCED',
        `Refused a session write from lock holder ${fence.token} of "${fence.lockKey}": holder ${newer} replaced it.`,
      );
    }
  }

  async delete(did: string, sessionId: string): Promise<void> {
    requireString(did, 'did');
    requireString(sessionId, 'sessionId');
    await this.#ctx.script('delete a session', DELETE, this.#keys(did), [sessionId]);
  }

  async list(did: string): Promise<string[]> {
    requireString(did, 'did');
    const [hash] = this.#keys(did);
    return this.#ctx.call('list sessions', (r) => r.hkeys(hash));
  }
}
