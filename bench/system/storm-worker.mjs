// One process of the multi-process refresh storm (system/refresh-storm.mjs): restores the shared
// session from the SQLite file, waits for "go", then fires its share of concurrent session.fetch
// calls and reports how many succeeded. Loads the built packages, as a deployed app would.
import { createNodeAddressLookup, createNodeIdentityResolver, createNodeSafeFetch } from '@relay/identity/node';
import { OAuthClient } from '@relay/oauth-core';
import { SqliteStores } from '@relay/store-sqlite';

const cfg = JSON.parse(process.env.STORM_WORKER);
const { plcDirectoryUrl, dnsServer, hostMap } = cfg.endpoints;
const fetch = createNodeSafeFetch({
  allowHttp: true,
  allowLoopback: true,
  hostMap,
  lookup: createNodeAddressLookup({ servers: [dnsServer] }),
});
const identity = createNodeIdentityResolver({ dev: true, plcDirectoryUrl, dnsServers: [dnsServer], fetch });
const stores = await SqliteStores.open({ path: cfg.path });
const client = new OAuthClient({
  metadata: cfg.metadata,
  identity,
  fetch,
  dev: true,
  stores,
  lock: stores.createLock(),
});
const session = await client.restore(cfg.did, cfg.sessionId);
process.send({ type: 'ready' });
process.once('message', async () => {
  const statuses = await Promise.all(
    Array.from({ length: cfg.calls }, () =>
      session.fetch('/xrpc/com.atproto.server.getSession').then(
        (r) => r.status,
        () => 0,
      ),
    ),
  );
  process.send({ type: 'done', ok: statuses.filter((s) => s === 200).length }, () => {
    stores.close();
    process.exit(0);
  });
});
