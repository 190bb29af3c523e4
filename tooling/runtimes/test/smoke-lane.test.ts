import { Testnet } from '@relay/testnet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { laneConfig, networkProblems } from '../src/lane-network.js';
import { RUNTIMES, type RuntimeName, runRuntime } from '../src/run-runtime.js';
import { SMOKE_STEPS } from '../src/smoke-flow.js';

// One testnet (in this Node process) for the whole lane; each runtime signs a fresh account in over
// loopback from its own process (Node, Bun, Deno) or from workerd (Miniflare), then the network's
// own log and records are checked, never only the runtime's word.

let net: Testnet;
beforeAll(async () => {
  net = await Testnet.start();
});
afterAll(() => net?.stop());

/** The @relay/dpop build each runtime's module resolution must pick. */
const EXPECTED_DPOP_BUILD: Record<RuntimeName, string> = {
  node: 'node:crypto', // the "node" export condition
  bun: 'node:crypto', // Bun honours "node" too, and implements node:crypto
  deno: 'node:crypto', // Deno's npm resolution sets "node" as well
  workerd: 'webcrypto', // bundled with the worker conditions, as wrangler does
};

describe('smoke lane: discovery, PAR, callback, an authenticated request and a refresh on every runtime', () => {
  it.each(RUNTIMES)('%s: the whole flow passes and the testnet saw every step', async (runtime) => {
    const from = net.log.length;
    const config = await laneConfig(net, runtime);
    const run = await runRuntime(runtime, config);
    expect(run.failure, run.stderr).toBeUndefined();
    const report = run.report;
    const failed = report?.steps.find((s) => !s.ok);
    expect(failed, JSON.stringify(failed?.error)).toBeUndefined();
    expect(report?.steps.map((s) => s.name)).toEqual(SMOKE_STEPS);
    expect(report?.ok).toBe(true);
    expect(report?.engine.toLowerCase()).toContain(runtime === 'workerd' ? 'cloudflare-workers' : runtime);
    expect(report?.dpopBuild).toBe(EXPECTED_DPOP_BUILD[runtime]);
    expect(report?.did).toBe([...net.accounts.values()].find((a) => a.handle === config.handle)?.did);
    expect(networkProblems(net, net.log.slice(from), report?.did, runtime)).toEqual([]);
  });
});
