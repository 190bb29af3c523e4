import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isBlocking, requirement } from '../src/catalogue.js';
import { type RunningDriver, serveDriver } from '../src/driver-server.js';
import { createRelayDriverAdapter } from '../src/drivers/relay-driver.js';
import type { ProfileResult } from '../src/profile-result.js';
import { runClientProfile } from '../src/run-client-profile.js';

let driver: RunningDriver;
let result: ProfileResult;

beforeAll(async () => {
  driver = await serveDriver(createRelayDriverAdapter());
  result = await runClientProfile({ driver: driver.url });
}, 600_000);
afterAll(() => driver.close());

describe('client profile against the @relay/oauth-core reference driver', () => {
  it('no scenario crashes', () => {
    expect(result.errors).toEqual({});
  });

  it('every MUST row judged by a scenario passes', () => {
    const failing = [...result.rows]
      .filter(([id, row]) => row.outcome === 'fail' && isBlocking(requirement(id) as never))
      .map(([id, row]) => `${id}: ${row.details.join(' | ')}`);
    expect(failing).toEqual([]);
  });
});
