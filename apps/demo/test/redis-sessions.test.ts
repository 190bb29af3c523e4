import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { createRedisClient, type Redis } from '@relay/store-redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpBrowser } from './support/http-browser.js';
import { type PortalFixture, startPortal } from './support/portal.js';

// With REDIS_URL the portal keeps OAuth sessions, pending logins, nonces and web sessions in
// Redis (scripts/test.sh starts one on loopback). Without REDIS_URL and with nothing on
// 127.0.0.1:6379 this file skips, saying so.

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = `relay-demo-test:${process.pid}:${randomBytes(4).toString('hex')}:`;

async function redisAnswers(): Promise<boolean> {
  const probe = createRedisClient(REDIS_URL, { lazyConnect: true, retryStrategy: () => null });
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

const reachable = process.env.REDIS_URL !== undefined || (await redisAnswers());

describe.skipIf(!reachable)(`sessions in Redis${reachable ? '' : ` (skipped: no Redis at ${REDIS_URL})`}`, () => {
  let portal: PortalFixture;
  let redis: Redis;

  beforeAll(async () => {
    portal = await startPortal('testnet', { REDIS_URL, REDIS_PREFIX: PREFIX });
    redis = createRedisClient(REDIS_URL);
  });
  afterAll(async () => {
    const keys = await redis.keys(`${PREFIX}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    await portal?.stop();
  });

  it('a sign-in writes the web session and the OAuth session to Redis, not to SQLite', async () => {
    expect(portal.demo.store.kind).toBe('redis');
    const browser = new HttpBrowser(portal.demo.url);
    const { res } = await browser.login(portal.artist.handle);
    expect(res.status).toBe(303);
    expect((await browser.request('/dashboard')).status).toBe(200);

    const id = decodeURIComponent(browser.cookies.get('relay_sid') as string).split('.')[0];
    const web = JSON.parse((await redis.get(`${PREFIX}web:${id}`)) as string);
    expect(web.did).toBe(portal.artist.did);
    expect(await redis.pttl(`${PREFIX}web:${id}`)).toBeGreaterThan(13 * 24 * 3600_000);
    const keys = await redis.keys(`${PREFIX}*`);
    expect(keys.some((k) => k.includes(portal.artist.did))).toBe(true); // the OAuth session
    expect(existsSync(path.join(portal.dataDir, 'local-network.sqlite'))).toBe(false);

    // Sign-out removes the web session from Redis.
    const token = /name="_csrf" value="([^"]+)"/.exec(
      await (await browser.request('/dashboard')).text(),
    )?.[1] as string;
    await browser.request('/logout', { form: { _csrf: token } });
    expect(await redis.get(`${PREFIX}web:${id}`)).toBeNull();
  });
});

describe('REDIS_URL pointing at nothing', () => {
  it('fails at start with STORE_UNAVAILABLE naming REDIS_URL, not on the first request', async () => {
    const server = net.createServer().listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as net.AddressInfo;
    server.close();
    await expect(startPortal('testnet', { REDIS_URL: `redis://127.0.0.1:${port}` })).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
      message: expect.stringContaining('(REDIS_URL)'),
    });
  });
});
