// The same login on the mock network by Relay and by the official client, through the conformance
// suite's two reference driver adapters (in-process, no HTTP between bench and driver): cold (a
// freshly configured client) and warm (the same client again). Times and the requests the
// authorization server and PDS saw; the browser's consent step is the same for both.
import { fileURLToPath } from 'node:url';
import { createOfficialDriverAdapter, createRelayDriverAdapter } from '@relay/conformance/drivers';
import { buildLoopbackClientId, loopbackClientMetadata } from '@relay/oauth-core';
import { Testnet } from '@relay/testnet';
import { median, spread } from './stats.mjs';

const SCOPE = 'atproto repo:app.relay.track';

async function loginOnce(net, adapter) {
  const before = net.log.length;
  const t0 = performance.now();
  const { url } = await adapter.authorize({ input: 'alice.test', scope: SCOPE });
  const res = await fetch(url, { redirect: 'manual' }); // the browser's consent step
  await adapter.callback({ query: new URL(res.headers.get('location')).search.slice(1) });
  return { ms: performance.now() - t0, requests: net.log.length - before };
}

export async function peerLoginBench(rounds = 7) {
  const net = await Testnet.start();
  await net.createAccount({ handle: 'alice.test', handleVia: 'dns' });
  const { plcDirectoryUrl, dnsServer, hostMap, pdsUrl } = net.endpoints;
  const metadata = loopbackClientMetadata(
    buildLoopbackClientId({ redirectUris: ['http://127.0.0.1/cb'], scope: SCOPE }),
  );
  const configure = {
    network: { plcDirectoryUrl, dnsServers: [dnsServer], hostMap, handleResolverUrl: pdsUrl },
    client: { metadata },
  };
  const makers = { relay: createRelayDriverAdapter, official: createOfficialDriverAdapter };
  const samples = Object.fromEntries(Object.keys(makers).map((k) => [k, { cold: [], warm: [] }]));
  for (let r = 0; r < rounds; r++) {
    for (const [name, make] of r % 2 ? Object.entries(makers).reverse() : Object.entries(makers)) {
      const adapter = make();
      await adapter.configure(configure);
      samples[name].cold.push(await loginOnce(net, adapter));
      samples[name].warm.push(await loginOnce(net, adapter));
      await adapter.close?.();
    }
  }
  await net.stop();
  const sum = (xs) => ({
    ms: median(xs.map((x) => x.ms)),
    spread: spread(xs.map((x) => x.ms)),
    requests: median(xs.map((x) => x.requests)),
  });
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, { cold: sum(v.cold), warm: sum(v.warm) }]));
}

export function peerLoginTable(r) {
  const row = (name, phase, v) => `| ${name} | ${phase} | ${v.ms.toFixed(1)} ms | ${v.spread} | ${v.requests} |`;
  return [
    '| client | caches | median login time | spread (ms) | requests at the AS + PDS |',
    '|---|---|--:|--:|--:|',
    row('Relay', 'cold', r.relay.cold),
    row('Relay', 'warm', r.relay.warm),
    row('@atproto/oauth-client 0.8.7', 'cold', r.official.cold),
    row('@atproto/oauth-client 0.8.7', 'warm', r.official.warm),
    '',
    `Ratio Relay / official: cold ${(r.relay.cold.ms / r.official.cold.ms).toFixed(2)}×, warm ${(r.relay.warm.ms / r.official.warm.ms).toFixed(2)}×. ` +
      "Relay re-resolves `sub` (DID document, then the PDS's protected-resource metadata) without cache at every " +
      'callback (TOKEN-SUB-04), so a cold login pays that on top of discovery.',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write(`${peerLoginTable(await peerLoginBench(Number(process.env.ROUNDS ?? 7)))}\n`);
}
