import { createNodeAddressLookup, createNodeIdentityResolver, createNodeSafeFetch } from '@relay/identity/node';
// tooling/testnet is imported from source, not as a package: it depends on @relay/oauth-core
// itself (built), and a package dependency back would be a cycle in the build graph.
import { Testnet } from '../../../../tooling/testnet/src/index.js';
import {
  buildClientMetadata,
  type ClientMetadata,
  generateClientKey,
  Keyset,
  OAuthClient,
  type OAuthClientOptions,
} from '../../src/index.js';

export { Testnet };

export const SCOPE = 'atproto repo:app.relay.track blob:*/*';
export const WEB_CLIENT_ID = 'https://app.example.com/oauth-client-metadata.json';

/** An OAuthClient wired to the testnet in dev mode: loopback DNS, PLC, host map, http allowed. */
export function clientFor(
  net: Testnet,
  metadata: ClientMetadata,
  extra: Partial<OAuthClientOptions> = {},
): OAuthClient {
  const { plcDirectoryUrl, dnsServer, hostMap } = net.endpoints;
  // Every name lookup goes to the testnet's loopback DNS server: tests never query the system resolver.
  const lookup = createNodeAddressLookup({ servers: [dnsServer] });
  const fetch = createNodeSafeFetch({ allowHttp: true, allowLoopback: true, hostMap, lookup });
  const identity = createNodeIdentityResolver({ dev: true, plcDirectoryUrl, dnsServers: [dnsServer], fetch });
  return new OAuthClient({ metadata, identity, fetch, dev: true, ...extra });
}

export function webClientMetadata(scope = SCOPE): ClientMetadata {
  return buildClientMetadata({
    clientId: WEB_CLIENT_ID,
    redirectUris: ['https://app.example.com/callback'],
    scope,
    clientName: 'Relay test app',
  });
}

export async function confidentialClient(net: Testnet, scope = SCOPE) {
  const keyset = await Keyset.from([await generateClientKey({ kid: 'k1' })]);
  const metadata = buildClientMetadata({
    clientId: 'https://conf.example.com/oauth-client-metadata.json',
    redirectUris: ['https://conf.example.com/callback'],
    scope,
    keyset,
  });
  net.registerClient(metadata);
  return { client: clientFor(net, metadata, { keyset }), keyset, metadata };
}

/** Plays the browser: opens the authorization URL (scripted consent) and returns the redirect query. */
export async function consent(url: URL): Promise<URLSearchParams> {
  const res = await fetch(url, { redirect: 'manual' });
  const location = res.headers.get('location');
  if (res.status !== 302 || !location) throw new Error(`authorize answered ${res.status}: ${await res.text()}`);
  return new URL(location).searchParams;
}

/** authorize → consent → callback. */
export async function login(client: OAuthClient, input: string, options: Parameters<OAuthClient['authorize']>[1] = {}) {
  const url = await client.authorize(input, options);
  return client.callback(await consent(url));
}
