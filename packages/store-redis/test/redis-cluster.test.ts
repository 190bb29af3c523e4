import { execFileSync } from 'node:child_process';
import { defineStoreContractTests } from '@relay/oauth-core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster, Redis, RedisStores } from '../src/index.js';
import { uniquePrefix } from './support/redis.js';
import { OwnRedisServer } from './support/redis-server.js';

// A real 3-node Redis Cluster (no replicas) of the test's own on loopback ports: the stores run on it
// unchanged, every multi-key operation stays in one slot (a CROSSSLOT error would fail the kit),
// and keys spread over the nodes.

const nodes: OwnRedisServer[] = [];
const clusters: Cluster[] = [];

async function clusterState(port: number): Promise<string> {
  const r = new Redis({ port, host: '127.0.0.1', lazyConnect: true });
  try {
    await r.connect();
    const info = (await r.call('CLUSTER', 'INFO')) as string;
    return /cluster_state:(\w+)/.exec(info)?.[1] ?? 'unknown';
  } finally {
    r.disconnect();
  }
}

beforeAll(async () => {
  for (let i = 0; i < 3; i++) {
    nodes.push(
      await OwnRedisServer.start([
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        'nodes.conf',
        '--appendonly',
        'no',
      ]),
    );
  }
  execFileSync(
    '/usr/bin/redis-cli',
    ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '0', '--cluster-yes'],
    { stdio: 'ignore' },
  );
  for (let i = 0; i < 200; i++) {
    const states = await Promise.all(nodes.map((n) => clusterState(n.port)));
    if (states.every((s) => s === 'ok')) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the cluster did not reach cluster_state:ok');
}, 60_000);

afterAll(async () => {
  for (const c of clusters) c.disconnect();
  for (const n of nodes) await n.stop();
});

function cluster(): Cluster {
  const c = new Cluster([{ host: '127.0.0.1', port: nodes[0]?.port as number }], { enableOfflineQueue: false });
  c.on('error', () => undefined);
  clusters.push(c);
  return c;
}

// The kit expects a lock to be taken within ~10 ms: connect (and learn the slots) before handing out.
async function open(prefix = uniquePrefix('cluster')) {
  const stores = await RedisStores.open({ redis: cluster(), prefix });
  await stores.nonces.get('warm-up');
  return stores;
}

defineStoreContractTests(
  'redis cluster',
  {
    stateStore: async () => (await open()).state as never,
    sessionStore: async () => (await open()).session as never,
    lockPair: async () => {
      const a = await open();
      const b = await open(a.prefix);
      return [a.createLock(), b.createLock()];
    },
    fencedPair: async () => {
      const a = await open();
      const b = await open(a.prefix);
      return [a.createLock(), b.session as never];
    },
  },
  { describe, it },
);

describe('on a Cluster', () => {
  it('the stores know they run on a Cluster, and the keys of one session share a slot while sessions spread over the nodes', async () => {
    const s = await open();
    expect(s.isCluster).toBe(true);
    const lock = s.createLock();
    const dids = Array.from({ length: 30 }, (_, i) => `did:plc:account${i}`);
    for (const did of dids) {
      await lock.withLock(`relay-refresh:${did}`, { leaseMs: 5_000, waitMs: 1_000 }, async (lease) => {
        await s.session.set(did, 'phone', { did } as never, { fence: lease.fence });
      });
    }
    const admin = new Redis({ port: nodes[0]?.port as number, host: '127.0.0.1' });
    const slot = async (key: string) => (await admin.call('CLUSTER', 'KEYSLOT', key)) as number;
    for (const did of dids.slice(0, 5)) {
      expect(await slot(`${s.prefix}sessions:{${did}}`)).toBe(await slot(`${s.prefix}session-fences:{${did}}`));
    }
    expect(await slot(`${s.prefix}lock:{x}`)).toBe(await slot(`${s.prefix}lock-fence:{x}`));
    const perNode = await Promise.all(
      nodes.map(async (n) => {
        const r = new Redis({ port: n.port, host: '127.0.0.1' });
        const keys = await r.keys(`${s.prefix}sessions:*`);
        r.disconnect();
        return keys.length;
      }),
    );
    admin.disconnect();
    expect(perNode.reduce((a, b) => a + b, 0)).toBe(30);
    expect(perNode.filter((count) => count > 0).length).toBeGreaterThan(1);
    for (const did of dids) expect(await s.session.get(did, 'phone')).toEqual({ did });
  });
});
