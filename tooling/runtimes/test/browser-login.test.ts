import { existsSync } from 'node:fs';
import { defineStoreContractTests } from '@relay/oauth-core/testing';
import { Testnet } from '@relay/testnet';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_PATH, launchChromium } from '../src/chromium.js';
import { LANE_SCOPE } from '../src/lane-network.js';
import { startPageServer } from '../src/page-server.js';

// A real browser against the testnet on loopback: the page (an esbuild bundle of
// @relay/oauth-core/browser) signs in with IndexedDB stores, navigator.locks and a non-extractable
// DPoP key, across three page loads; then the store contract kit runs inside Chromium.

let net: Testnet;
let page: { origin: string; close(): Promise<void> };
let browser: { context: BrowserContext; close(): Promise<void> };
let alice: { did: string; handle: string };

beforeAll(async () => {
  if (!existsSync(CHROMIUM_PATH))
    throw new Error(`no Chromium at ${CHROMIUM_PATH}: run bash tooling/runtimes/ci-setup.sh`);
  net = await Testnet.start();
  alice = await net.createAccount({ handle: 'browser-alice.test' });
  page = await startPageServer({
    handle: alice.handle,
    pdsUrl: net.pds.url,
    plcDirectoryUrl: net.plc.url,
    scope: LANE_SCOPE,
  });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await page?.close();
  await net?.stop();
});

async function resultOf(path: string, timeoutMs = 60_000): Promise<Record<string, unknown>> {
  const tab = await browser.context.newPage();
  try {
    await tab.goto(`${page.origin}${path}`);
    const handle = await tab.waitForFunction(() => (window as { __relayResult?: unknown }).__relayResult, undefined, {
      timeout: timeoutMs,
      polling: 100,
    });
    return (await handle.jsonValue()) as Record<string, unknown>;
  } finally {
    await tab.close();
  }
}

describe('browser entry in Chromium (Debian), against the testnet on loopback', () => {
  it('ID-HANDLE-09, DPOP-03: a complete login (XRPC handle resolution, PAR, consent redirect, callback), an authenticated request, a refresh, and a restore after reload with a non-extractable key', async () => {
    const from = net.log.length;
    const result = await resultOf('/');
    expect(result.error, JSON.stringify(result.error)).toBeUndefined();
    expect(result.ok).toBe(true);
    expect(result.did).toBe(alice.did);
    // DPOP-03 in the browser: the stored key is a CryptoKey that script cannot export
    expect(result.keyIsCryptoKey).toBe(true);
    expect(result.keyExtractable).toBe(false);
    expect(result.exportRefused).toBe(true);
    // the network's own account: PAR and both token grants over CORS, three writes by alice
    const seen = net.log.slice(from);
    const ok = (s: number) => s >= 200 && s < 300;
    expect(seen.some((r) => r.endpoint === 'par' && ok(r.status) && r.dpop)).toBe(true);
    const grants = seen.filter((r) => r.endpoint === 'token' && ok(r.status)).flatMap((r) => r.form?.grant_type ?? []);
    expect(grants).toEqual(expect.arrayContaining(['authorization_code', 'refresh_token']));
    const titles = net.pds.records(alice.did, 'app.relay.track').map((r) => r.value.title);
    expect(titles).toEqual(
      expect.arrayContaining(['browser: first', 'browser: after refresh', 'browser: after reload']),
    );
  });

  it('CLIENT-STATE-02, REFRESH-03: IndexedDbStateStore, IndexedDbSessionStore and NavigatorLock pass the store contract kit in Chromium', async () => {
    const result = await resultOf('/contract', 80_000);
    const results = result.results as { name: string; ok: boolean; error?: string }[];
    expect(results.filter((r) => !r.ok)).toEqual([]);
    // every test the kit defines for these four factories ran in the page
    let defined = 0;
    const factory = () => Promise.reject(new Error('only counted'));
    defineStoreContractTests(
      'count',
      { stateStore: factory, sessionStore: factory, lockPair: factory, fencedPair: factory },
      { describe: (_name, fn) => fn(), it: () => void defined++ },
    );
    expect(defined).toBeGreaterThan(15);
    expect(results.length).toBe(defined);
    expect(result.ok).toBe(true);
  });
});
