import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningDriver, serveDriver } from '../src/driver-server.js';
import { createOfficialDriverAdapter } from '../src/drivers/official-driver.js';
import type { ProfileResult } from '../src/profile-result.js';
import { runClientProfile } from '../src/run-client-profile.js';

// Report only: the official client is measured, not required to pass. These tests prove the
// driver really runs it through the mock network (a login completes and a record is written).

let driver: RunningDriver;
let result: ProfileResult;

beforeAll(async () => {
  driver = await serveDriver(createOfficialDriverAdapter());
  result = await runClientProfile({ driver: driver.url });
}, 600_000);
afterAll(() => driver.close());

describe('client profile against the official @atproto/oauth-client driver (report only)', () => {
  it('the happy-path login scenario runs to completion and passes its core rows', () => {
    expect(result.errors['login-flow']).toBeUndefined();
    for (const id of ['CLIENT-PAR-02', 'PKCE-02', 'DPOP-06', 'NONCE-01', 'TOKEN-REQ-01']) {
      expect(result.rows.get(id)?.outcome, id).toBe('pass');
    }
  });

  it('prints where it differs from the spec (for the README)', () => {
    const failing = [...result.rows]
      .filter(([, r]) => r.outcome === 'fail')
      .map(([id, r]) => `${id}: ${r.details[0] ?? ''}`);
    // The list the README's "where the official client differs" section is written from.
    expect(failing.length).toBeGreaterThan(0);
    expect(result.rows.size).toBeGreaterThan(100);
  });
});
