import { Agent } from '@atproto/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientFor, login, Testnet, webClientMetadata } from './support/testnet-client.js';

let net: Testnet;
beforeAll(async () => {
  net = await Testnet.start();
  await net.createAccount({ handle: 'carol.test' });
  net.registerClient(webClientMetadata());
});
afterAll(() => net.stop());

describe("session.fetch as @atproto/api's Agent fetch handler", () => {
  it('the Agent writes and lists app.relay.track records through the DPoP-bound session', async () => {
    const { session } = await login(clientFor(net, webClientMetadata()), 'carol.test');
    // The Agent calls fetchHandler(pathname, init) with paths relative to the service.
    const agent = new Agent({ did: session.did, fetchHandler: (url, init) => session.fetch(url, init) });
    const created = await agent.com.atproto.repo.createRecord({
      repo: session.did,
      collection: 'app.relay.track',
      record: { $type: 'app.relay.track', title: 'Via the Agent', createdAt: new Date().toISOString() },
    });
    expect(created.data.uri).toContain('/app.relay.track/');
    const list = await agent.com.atproto.repo.listRecords({ repo: session.did, collection: 'app.relay.track' });
    expect(list.data.records.map((r) => (r.value as { title: string }).title)).toContain('Via the Agent');
    // every write went out with DPoP, never Bearer (DPOP-06)
    const writes = net.requests('com.atproto.repo.createRecord').filter((r) => r.status === 200);
    expect(writes.length).toBe(1);
    expect(writes[0]?.authorization?.startsWith('DPoP ')).toBe(true);
  });
});
