// Refresh storm: 1,000 concurrent session.fetch calls on a session whose access token the server has
// expired. Counts refresh requests reaching the authorization server and failed calls. (The
// 4-process variant runs in @relay/store-sqlite's and @relay/store-redis's tests, with real stores.)
import { fileURLToPath } from 'node:url';
import { createNodeAddressLookup, createNodeIdentityResolver, createNodeSafeFetch } from '@relay/identity/node';
import { buildLoopbackClientId, loopbackClientMetadata, OAuthClient } from '@relay/oauth-core';
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

export function refreshStormTable(r) {
  return [
    '| storm | token requests at the AS | invalid_grant | successes | wall time |',
    '|---|--:|--:|--:|--:|',
    `| ${r.calls} concurrent calls, 1 process | **${r.refreshRequests}** | ${r.invalidGrant} | ${r.ok}/${r.calls} | ${r.ms.toFixed(0)} ms |`,
    '',
    'Target: exactly 1 token request. The same storm from 4 processes sharing one SQLite file or one Redis is ' +
      "asserted in the store packages' tests (`refresh-across-processes`).",
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write(`${refreshStormTable(await refreshStormBench())}\n`);
}
