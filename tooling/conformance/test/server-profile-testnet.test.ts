import { Testnet } from '@relay/testnet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProfileResult } from '../src/profile-result.js';
import { runServerProfile } from '../src/server/run-server-profile.js';

let net: Testnet;
let result: ProfileResult;

beforeAll(async () => {
  net = await Testnet.start();
  await net.createAccount({ handle: 'alice.test' });
  result = await runServerProfile({ url: net.pds.url, loginHint: 'alice.test' });
}, 120_000);
afterAll(() => net.stop());

const outcome = (id: string) => result.rows.get(id)?.outcome;

describe('server profile against the testnet (an honest mock AS + PDS)', () => {
  it('runs every check without crashing', () => {
    expect(result.errors).toEqual({});
  });

  it('AS-META-*, META-RS-*: the metadata documents pass', () => {
    for (const id of [
      'META-RS-01',
      'META-RS-02',
      'META-RS-03',
      'AS-META-02',
      'AS-META-10',
      'AS-META-11',
      'AS-META-14',
    ]) {
      expect(outcome(id), id).toBe('pass');
    }
  });

  it('PAR, PKCE, code single use, DPoP binding, nonces, iss, refresh replay pass', () => {
    for (const id of [
      'NONCE-01',
      'NONCE-08',
      'CLIENT-PAR-06',
      'PKCE-03',
      'PKCE-05',
      'PKCE-06',
      'PKCE-07',
      'ISS-03',
      'DPOP-SRV-03',
      'DPOP-SRV-04',
      'DPOP-SRV-05',
      'DPOP-SRV-07',
      'REFRESH-08',
      'RS-01',
      'NONCE-02',
    ]) {
      expect(outcome(id), `${id}: ${result.rows.get(id)?.details.join(' | ')}`).toBe('pass');
    }
  });
});

describe('server profile catches a misbehaving AS', () => {
  it('PKCE-03/PKCE-06: an AS that accepts plain and reused codes fails those rows', async () => {
    net.faults.acceptPlainPkce = true;
    net.faults.allowCodeReuse = true;
    net.faults.asMetadata = (m) => {
      m.require_pushed_authorization_requests = false;
    };
    const bad = await runServerProfile({ url: net.pds.url, loginHint: 'alice.test' });
    net.resetFaults();
    expect(bad.rows.get('PKCE-03')?.outcome).toBe('fail');
    expect(bad.rows.get('PKCE-06')?.outcome).toBe('fail');
    expect(bad.rows.get('AS-META-11')?.outcome).toBe('fail');
  }, 120_000);
});
