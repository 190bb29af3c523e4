import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { loginWithProviderApi, type RefPdsAccount } from '../src/index.js';
import { officialClient } from './support/official-client.js';
import { freshAccount, relayClient, requirePds, SCOPE, sharedPds, TRACK } from './support/relay-client.js';

const { pds, skipReason } = sharedPds();
const ROUNDS = 3;

interface Timed {
  authorizeMs: number;
  signInMs: number;
  callbackMs: number;
  totalMs: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

function summary(name: string, runs: Timed[]): string {
  const pick = (k: keyof Timed) => median(runs.map((r) => r[k]));
  return (
    `${name.padEnd(34)} login ${String(pick('totalMs')).padStart(5)} ms ` +
    `(authorize ${pick('authorizeMs')} ms, provider sign-in+consent ${pick('signInMs')} ms, callback ${pick('callbackMs')} ms)`
  );
}

describe.skipIf(!pds)(
  `the official client and Relay, same login, same PDS${skipReason ? ` (skipped: ${skipReason})` : ''}`,
  () => {
    it('both log in from a handle and write app.relay.track; timings are printed (reported, not asserted)', async () => {
      const ref = requirePds();
      const relayRuns: Timed[] = [];
      const officialRuns: Timed[] = [];

      const timed = async (
        authorize: () => Promise<URL>,
        callback: (params: URLSearchParams) => Promise<unknown>,
        account: RefPdsAccount,
      ): Promise<Timed> => {
        const t0 = performance.now();
        const url = await authorize();
        const t1 = performance.now();
        const signedIn = await loginWithProviderApi(url, { username: account.handle, password: account.password });
        const t2 = performance.now();
        await callback(signedIn.params);
        const t3 = performance.now();
        return { authorizeMs: ms(t1 - t0), signInMs: ms(t2 - t1), callbackMs: ms(t3 - t2), totalMs: ms(t3 - t0) };
      };

      // Alternate the two clients so machine load affects both alike; one warm-up round each.
      for (let round = 0; round <= ROUNDS; round++) {
        const account = await freshAccount(ref);
        const { client: relay } = relayClient(ref);
        let relaySession: Awaited<ReturnType<typeof relay.callback>>['session'] | undefined;
        const r = await timed(
          () => relay.authorize(account.handle, { scope: SCOPE }),
          async (params) => {
            relaySession = (await relay.callback(params)).session;
          },
          account,
        );
        const official = officialClient(ref);
        let officialSession: Awaited<ReturnType<typeof official.callback>>['session'] | undefined;
        const o = await timed(
          () => official.authorize(account.handle, { scope: SCOPE }),
          async (params) => {
            officialSession = (await official.callback(params)).session;
          },
          account,
        );
        expect(relaySession?.did).toBe(account.did);
        expect(officialSession?.did).toBe(account.did);
        expect(officialSession?.serverMetadata.issuer).toBe(ref.issuer);
        if (round > 0) {
          relayRuns.push(r);
          officialRuns.push(o);
        }

        if (round === ROUNDS) {
          // Both sessions work on the same account at the same time (separate grants, DPoP keys).
          const body = (title: string) =>
            JSON.stringify({
              repo: account.did,
              collection: TRACK,
              record: { $type: TRACK, title, createdAt: new Date().toISOString() },
            });
          const init = (title: string): RequestInit => ({
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: body(title),
          });
          const a = await relaySession?.fetch('/xrpc/com.atproto.repo.createRecord', init('by Relay'));
          const b = await officialSession?.fetchHandler(
            '/xrpc/com.atproto.repo.createRecord',
            init('by the official client'),
          );
          expect([a?.status, b?.status]).toEqual([200, 200]);
          await Promise.all([a?.body?.cancel(), b?.body?.cancel()]);
        }
      }

      console.log(
        `[refpds] login timings, median of ${ROUNDS} (after a warm-up), provider API driver, same PDS:\n` +
          `  ${summary('@relay/oauth-core', relayRuns)}\n` +
          `  ${summary('@atproto/oauth-client 0.8.7 (core)', officialRuns)}\n` +
          `  ratio relay/official: ${(median(relayRuns.map((r) => r.totalMs)) / median(officialRuns.map((r) => r.totalMs))).toFixed(2)}`,
      );
    });
  },
);

function ms(x: number): number {
  return Math.round(x);
}
