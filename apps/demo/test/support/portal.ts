import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { refPdsMissing } from '@relay/refpds';
import { loadConfig } from '../../src/config.js';
import { type LocalNetwork, startLocalNetwork } from '../../src/local-network.js';
import { type RunningDemo, startDemo } from '../../src/start-demo.js';

/**
 * The network the e2e runs on: the real reference PDS when tooling/refpds is installed (the
 * consent page is the provider's own UI), else testnet (its AS approves or denies by script).
 * `DEMO_E2E_NETWORK=testnet|refpds` forces one.
 */
export function e2eNetworkKind(): { kind: 'refpds' | 'testnet'; why: string } {
  const forced = process.env.DEMO_E2E_NETWORK;
  if (forced === 'testnet' || forced === 'refpds') return { kind: forced, why: 'DEMO_E2E_NETWORK' };
  const missing = refPdsMissing();
  return missing ? { kind: 'testnet', why: missing } : { kind: 'refpds', why: 'tooling/refpds is installed' };
}

export interface PortalFixture {
  network: LocalNetwork;
  demo: RunningDemo;
  artist: { handle: string; did: string; password: string };
  dataDir: string;
  stop(): Promise<void>;
}

/** A local network with one fresh artist account, and the portal on a free loopback port. */
export async function startPortal(
  kind: 'refpds' | 'testnet',
  env: Record<string, string> = {},
): Promise<PortalFixture> {
  const handle = `artist${randomBytes(4).toString('hex')}.test`;
  const password = `pw-${randomBytes(9).toString('base64url')}`;
  const network = await startLocalNetwork({ kind, accounts: [{ handle, password }] });
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'relay-demo-test-'));
  try {
    const config = loadConfig({ PORT: '0', DATA_DIR: dataDir, DEMO_NETWORK: kind, ...env });
    const demo = await startDemo(config, { network });
    const account = network.accounts[0];
    if (!account) throw new Error('the network has no seeded account');
    return {
      network,
      demo,
      artist: { handle: account.handle, did: account.did, password },
      dataDir,
      async stop() {
        await demo.stop();
        await network.stop();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await network.stop();
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
}

/** The artist's app.relay.track records, read straight from the PDS (not through the portal). */
export async function tracksOnPds(
  pdsUrl: string,
  did: string,
): Promise<Array<{ uri: string; value: Record<string, unknown> }>> {
  const url = new URL('/xrpc/com.atproto.repo.listRecords', pdsUrl);
  url.searchParams.set('repo', did);
  url.searchParams.set('collection', 'app.relay.track');
  const res = await fetch(url);
  if (!res.ok) throw new Error(`listRecords answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { records: Array<{ uri: string; value: Record<string, unknown> }> }).records;
}
