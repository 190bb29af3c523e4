import { createNodeIdentityResolver, createNodeSafeFetch } from '@relay/identity/node';
import { buildClientMetadata, type ClientMetadata, OAuthClient, type OAuthClientOptions } from '@relay/oauth-core';
// tooling/testnet is imported from source: it depends on @relay/oauth-core's build, and it is a
// test-only helper, not a dependency of this package's code.
import { Testnet } from '../../../../tooling/testnet/src/index.js';

export { Testnet };

export const SCOPE = 'atproto repo:app.relay.track';

/** Plain JSON, so worker processes can build the same metadata. */
export const METADATA_INPUT = {
  clientId: 'https://app.example.com/oauth-client-metadata.json',
  redirectUris: ['https://app.example.com/callback'],
  scope: SCOPE,
  clientName: 'Relay store test app',
};

export function clientMetadata(): ClientMetadata {
  return buildClientMetadata(METADATA_INPUT);
}

/** An OAuthClient wired to the testnet in dev mode (loopback DNS, PLC, host map, http allowed). */
export function clientFor(net: Testnet, extra: Partial<OAuthClientOptions> = {}): OAuthClient {
  const { plcDirectoryUrl, dnsServer, hostMap } = net.endpoints;
  const fetch = createNodeSafeFetch({ allowHttp: true, allowLoopback: true, hostMap });
  const identity = createNodeIdentityResolver({ dev: true, plcDirectoryUrl, dnsServers: [dnsServer], fetch });
  return new OAuthClient({ metadata: clientMetadata(), identity, fetch, dev: true, ...extra });
}

/** authorize → scripted consent → callback: a fresh session for `handle`. */
export async function login(client: OAuthClient, handle: string) {
  const url = await client.authorize(handle);
  const res = await fetch(url, { redirect: 'manual' });
  const location = res.headers.get('location');
  if (res.status !== 302 || !location) throw new Error(`authorize answered ${res.status}`);
  return client.callback(new URL(location).searchParams);
}
