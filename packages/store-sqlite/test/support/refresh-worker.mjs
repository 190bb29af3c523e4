// A separate Node process for the cross-process tests. It loads the BUILT packages (dist/), as a
// deployed app would, and talks to the parent over the IPC channel of child_process.fork.
// RELAY_WORKER (JSON) says what to do:
//   { mode: 'refresh', path, endpoints, metadataInput, did, sessionId }  restore the session, report
//     'ready', wait for 'go', then session.fetch an authenticated XRPC and report the outcome.
//   { mode: 'hold-lock', path, key, heartbeatMs }  take the lock, report 'held', never return.
//   { mode: 'take-lock', path, key, waitMs }  take the lock, report its fence.
//   { mode: 'open', path }  wait for 'go', open (and so migrate) the database, report its schema version.
//   { mode: 'write-loop', path, keyHex }  rewrite sealed sessions s0..s9 forever, reporting 'writing' once.
import { createNodeIdentityResolver, createNodeSafeFetch } from '@relay/identity/node';
import { buildClientMetadata, OAuthClient } from '@relay/oauth-core';
import { SqliteStores } from '../../dist/index.js';

const config = JSON.parse(process.env.RELAY_WORKER ?? '{}');
const send = (message) => new Promise((resolve) => process.send(message, resolve));
const next = (type) =>
  new Promise((resolve) => {
    const on = (m) => {
      if (m?.type === type) {
        process.off('message', on);
        resolve(m);
      }
    };
    process.on('message', on);
  });

if (config.mode === 'open') {
  await send({ type: 'ready' });
  await next('go');
  const stores = await SqliteStores.open({ path: config.path });
  await send({ type: 'opened', version: stores.schemaVersion });
  stores.close();
  process.exit(0);
}

const encryption = config.keyHex
  ? { current: { id: 'k1', key: Uint8Array.from(Buffer.from(config.keyHex, 'hex')) } }
  : undefined;
const stores = await SqliteStores.open({ path: config.path, encryption });
try {
  if (config.mode === 'refresh') {
    const { plcDirectoryUrl, dnsServer, hostMap } = config.endpoints;
    const fetch = createNodeSafeFetch({ allowHttp: true, allowLoopback: true, hostMap });
    const identity = createNodeIdentityResolver({ dev: true, plcDirectoryUrl, dnsServers: [dnsServer], fetch });
    const metadata = buildClientMetadata(config.metadataInput);
    const client = new OAuthClient({ metadata, identity, fetch, dev: true, stores, lock: stores.createLock() });
    const session = await client.restore(config.did, config.sessionId);
    await send({ type: 'ready' });
    await next('go');
    try {
      const res = await session.fetch('/xrpc/com.atproto.server.getSession');
      await send({ type: 'done', status: res.status, body: await res.json() });
    } catch (err) {
      await send({ type: 'done', error: err?.code ?? String(err) });
    }
  } else if (config.mode === 'hold-lock') {
    const lock = stores.createLock({ heartbeatMs: config.heartbeatMs });
    await lock.withLock(config.key, { leaseMs: 60_000, waitMs: 5_000 }, async (lease) => {
      await send({ type: 'held', fence: lease.fence.token });
      await new Promise(() => {}); // hold until killed
    });
  } else if (config.mode === 'write-loop') {
    for (let n = 0; ; n++) {
      for (let id = 0; id < 10; id++) {
        await stores.session.set('did:plc:writer', `s${id}`, { n, tokens: { accessToken: `at-${id}-${n}` } });
      }
      if (n === 5) await send({ type: 'writing' });
    }
  } else if (config.mode === 'take-lock') {
    const lock = stores.createLock();
    const fence = await lock.withLock(
      config.key,
      { leaseMs: 5_000, waitMs: config.waitMs },
      async (lease) => lease.fence.token,
    );
    await send({ type: 'took', fence });
  }
} finally {
  stores.close();
}
