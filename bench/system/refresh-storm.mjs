// Refresh storm: 1,000 concurrent session.fetch calls on a session whose access token the server has
// expired, from one process (memory stores) and from 4 processes sharing one SQLite file (250 calls
// each, @relay/store-sqlite's lock). Counts refresh requests reaching the authorization server.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createNodeAddressLookup, createNodeIdentityResolver, createNodeSafeFetch } from '@relay/identity/node';
import { buildLoopbackClientId, loopbackClientMetadata, OAuthClient } from '@relay/oauth-core';
import { SqliteStores } from '@relay/store-sqlite';
import { Testnet } from '@relay/testnet';

export async function refreshStormBench(calls = 1000) {
  const net = await Testnet.start();
  await net.createAccount({ handle: 'alice.test' });
  const { plcDirectoryUrl, dnsServer, hostMap } = net.endpoints;
  const fetch = createNodeSafeFetch({
    allowHttp: true,
    allowLoopback: true,
    hostMap,
    lookup: createNodeAddressLookup({ servers: [dnsServer] }),
  });
  const identity = createNodeIdentityResolver({ dev: true, plcDirectoryUrl, dnsServers: [dnsServer], fetch });
  const client = new OAuthClient({
    metadata: loopbackClientMetadata(buildLoopbackClientId({ redirectUris: ['http://127.0.0.1/cb'] })),
    identity,
    fetch,
    dev: true,
  });
  const res = await globalThis.fetch(await client.authorize('alice.test'), { redirect: 'manual' });
  const { session } = await client.callback(new URL(res.headers.get('location')).searchParams);
  net.grants.expireAccessTokens();
  net.log.length = 0;
  const t0 = performance.now();
  const results = await Promise.all(
    Array.from({ length: calls }, () =>
      session.fetch('/xrpc/com.atproto.server.getSession').then(
        (r) => r.status,
        () => 0,
      ),
    ),
  );
  const ms = performance.now() - t0;
  const token = net.requests('token');
  await net.stop();
  return {
    calls,
    ms,
    ok: results.filter((s) => s === 200).length,
    refreshRequests: token.filter((r) => r.form?.grant_type?.[0] === 'refresh_token').length,
    invalidGrant: token.filter((r) => r.error === 'invalid_grant').length,
  };
}

export async function multiProcessStormBench(processes = 4, callsEach = 250) {
  const net = await Testnet.start();
  await net.createAccount({ handle: 'alice.test' });
  const { plcDirectoryUrl, dnsServer, hostMap } = net.endpoints;
  const dir = mkdtempSync(join(tmpdir(), 'relay-storm-'));
  const path = join(dir, 'sessions.sqlite');
  const stores = await SqliteStores.open({ path });
  const lookup = createNodeAddressLookup({ servers: [dnsServer] });
  const fetch = createNodeSafeFetch({ allowHttp: true, allowLoopback: true, hostMap, lookup });
  const identity = createNodeIdentityResolver({ dev: true, plcDirectoryUrl, dnsServers: [dnsServer], fetch });
  const metadata = loopbackClientMetadata(buildLoopbackClientId({ redirectUris: ['http://127.0.0.1/cb'] }));
  const client = new OAuthClient({ metadata, identity, fetch, dev: true, stores, lock: stores.createLock() });
  const res = await globalThis.fetch(await client.authorize('alice.test'), { redirect: 'manual' });
  const { session } = await client.callback(new URL(res.headers.get('location')).searchParams);
  net.grants.expireAccessTokens();
  net.log.length = 0;
  const workerFile = fileURLToPath(new URL('./storm-worker.mjs', import.meta.url));
  const config = {
    endpoints: net.endpoints,
    path,
    metadata,
    did: session.did,
    sessionId: session.sessionId,
    calls: callsEach,
  };
  const workers = Array.from({ length: processes }, () =>
    fork(workerFile, {
      env: { ...process.env, STORM_WORKER: JSON.stringify(config) },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    }),
  );
  const message = (w, type) => new Promise((resolve) => w.on('message', (m) => m.type === type && resolve(m)));
  await Promise.all(workers.map((w) => message(w, 'ready')));
  const t0 = performance.now();
  const done = workers.map((w) => message(w, 'done'));
  for (const w of workers) w.send({ type: 'go' });
  const results = await Promise.all(done);
  const ms = performance.now() - t0;
  const token = net.requests('token');
  stores.close();
  await net.stop();
  rmSync(dir, { recursive: true, force: true });
  return {
    calls: processes * callsEach,
    processes,
    ms,
    ok: results.reduce((n, r) => n + r.ok, 0),
    refreshRequests: token.filter((r) => r.form?.grant_type?.[0] === 'refresh_token').length,
    invalidGrant: token.filter((r) => r.error === 'invalid_grant').length,
  };
}

export function refreshStormTable(rows) {
  const label = (r) =>
    `${r.calls} concurrent calls, ${r.processes ?? 1} process${(r.processes ?? 1) > 1 ? 'es, one SQLite file' : ''}`;
  return [
    '| storm | token requests at the AS | invalid_grant | successes | wall time |',
    '|---|--:|--:|--:|--:|',
    ...rows.map(
      (r) =>
        `| ${label(r)} | **${r.refreshRequests}** | ${r.invalidGrant} | ${r.ok}/${r.calls} | ${r.ms.toFixed(0)} ms |`,
    ),
    '',
    'Target: exactly 1 token request in every row.',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write(`${refreshStormTable([await refreshStormBench(), await multiProcessStormBench()])}\n`);
}
