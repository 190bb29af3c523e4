import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CHROMIUM_PATH, loginWithChromium, startCallbackServer } from '../src/index.js';
import { freshAccount, relayClient, requirePds, sharedPds } from './support/relay-client.js';

const { pds, skipReason } = sharedPds();
const noChromium = existsSync(DEFAULT_CHROMIUM_PATH)
  ? ''
  : `no ${DEFAULT_CHROMIUM_PATH}: run \`bash tooling/refpds/ci-setup.sh\` (apt-get install -y chromium)`;
const reason = skipReason || noChromium;

describe.skipIf(!pds || noChromium !== '')(
  `the provider's real sign-in and consent pages in Chromium${reason ? ` (skipped: ${reason})` : ''}`,
  () => {
    it('CLIENT-PAR-07 / ISS-01: a Relay login through the real consent UI lands on the loopback redirect and becomes a session', async () => {
      const ref = requirePds();
      const account = await freshAccount(ref);
      const callback = await startCallbackServer();
      try {
        const { client } = relayClient(ref, { redirectUri: callback.redirectUri });
        const started = performance.now();
        const url = await client.authorize(account.handle, { state: 'chromium' });
        const browser = await loginWithChromium(url, {
          username: account.handle,
          password: account.password,
          redirectUri: callback.redirectUri,
        });
        const params = await callback.next(10_000);
        const { session, state } = await client.callback(params);
        const totalMs = Math.round(performance.now() - started);

        expect(browser.redirectTo.href.startsWith(callback.redirectUri)).toBe(true);
        expect(params.get('iss')).toBe(ref.issuer);
        expect(state).toBe('chromium');
        expect(session.did).toBe(account.did);
        // The page never tried to reach anything but loopback.
        expect(browser.blockedRequests).toEqual([]);
        const res = await session.fetch('/xrpc/com.atproto.server.getSession');
        expect(res.status).toBe(200);
        await res.body?.cancel();
        console.log(
          `[refpds] Chromium login: ${totalMs} ms total (launch ${browser.timings.launchMs} ms, sign-in page ` +
            `${browser.timings.signInMs} ms, consent→callback ${browser.timings.consentMs} ms)`,
        );
      } finally {
        await callback.close();
      }
    });
  },
);
