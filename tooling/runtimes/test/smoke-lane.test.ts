import { Testnet } from '@relay/testnet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { laneConfig, networkProblems } from '../src/lane-network.js';
import { LANES, runLane } from '../src/run-runtime.js';
import { SMOKE_STEPS } from '../src/smoke-flow.js';

// One testnet (in this Node process) for the whole lane; each runtime signs a fresh account in over
// loopback from its own process (Node, Bun, Deno) or from workerd (Miniflare), then the network's
// own log and records are checked, never only the runtime's word.

let net: Testnet;
beforeAll(async () => {
  net = await Testnet.start();
});
afterAll(() => net?.stop());

// The @relay/dpop build each lane must end up with: Node, Bun and Deno all honour the "node" export
// condition when they resolve the packages themselves (and implement node:crypto); a web bundle
// (workerd's, or the one run on the others) holds the WebCrypto build.
const EXPECTED_DPOP_BUILD = { packages: 'node:crypto', 'web-bundle': 'webcrypto' } as const;

describe('smoke lane: discovery, PAR, callback, an authenticated request and a refresh on every runtime', () => {
  it.each(LANES)('$name ($code): the whole flow passes and the testnet saw every step', async (lane) => {
    const runtime = lane.name;
    const from = net.log.length;
    const config = await laneConfig(net, runtime);
    const run = await runLane(lane, config);
    expect(run.failure, run.stderr).toBeUndefined();
    const report = run.report;
    const failed = report?.steps.find((s) => !s.ok);
    expect(failed, JSON.stringify(failed?.error)).toBeUndefined();
    expect(report?.steps.map((s) => s.name)).toEqual(SMOKE_STEPS);
    expect(report?.ok).toBe(true);
    expect(report?.engine.toLowerCase()).toContain(lane.runtime === 'workerd' ? 'cloudflare-workers' : lane.runtime);
    expect(report?.dpopBuild).toBe(EXPECTED_DPOP_BUILD[lane.code]);
    expect(report?.did).toBe([...net.accounts.values()].find((a) => a.handle === config.handle)?.did);
    expect(networkProblems(net, net.log.slice(from), report?.did, runtime)).toEqual([]);
  });
});
