import { Redis, type RedisOptions } from 'ioredis';

/**
 * An ioredis client with settings that suit the stores: no offline queue and one retry per command,
 * so calls fail fast with `STORE_UNAVAILABLE` while Redis is down instead of piling up writes that
 * would land at an unknown later time; reconnection (with backoff up to 2 s) stays on.
 * Connection errors go to `onError` (default: dropped, since every store call reports its own
 * failure); without a listener ioredis would print them to the console.
 */
export function createRedisClient(
  url = 'redis://127.0.0.1:6379',
  options: RedisOptions = {},
  onError: (error: Error) => void = () => undefined,
): Redis {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
    ...options,
  });
  redis.on('error', onError);
  return redis;
}
