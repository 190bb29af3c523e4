import { loginWithProviderApi, type RefPds, refPdsMissing, startRefPds } from '@relay/refpds';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProfileResult } from '../src/profile-result.js';
import { runServerProfile } from '../src/server/run-server-profile.js';

// Report only: the real reference PDS (@atproto/pds + its OAuth provider) under the server
// profile. Skipped where the Node 22 peer is not installed (bash tooling/refpds/ci-setup.sh).
const missing = refPdsMissing();
let pds: RefPds | undefined;
let result: ProfileResult;

beforeAll(async () => {
  if (missing) return;
  pds = await startRefPds({ accounts: ['alice.test:alice-pass-123'] });
  result = await runServerProfile({
    url: pds.pdsUrl,
    name: '@atproto/pds (reference)',
    loginHint: 'alice.test',
    login: async (url) =>
      (await loginWithProviderApi(url, { username: 'alice.test', password: 'alice-pass-123' })).params.toString(),
  });
}, 180_000);
afterAll(async () => {
  await pds?.stop();
});

describe.skipIf(missing !== null)('server profile against the reference PDS (report only)', () => {
  it('completes real logins through the provider and judges the metadata, PAR, code and DPoP rows', () => {
    expect(result.errors).toEqual({});
    for (const id of ['AS-META-10', 'AS-META-11', 'NONCE-01', 'CLIENT-PAR-06', 'ISS-03', 'DPOP-SRV-03', 'PKCE-07']) {
      expect(result.rows.get(id)?.outcome, `${id}: ${result.rows.get(id)?.details.join(' | ')}`).toBe('pass');
    }
  });
});
