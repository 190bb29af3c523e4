import type { DidDocument } from '@relay/testnet';
import type { Scenario } from '../scenario.js';

/** DID documents, honest and broken, served by the PLC directory and did:web hosts. */
export const didDocuments: Scenario = {
  id: 'did-documents',
  title: 'DID documents: did:web, bidirectional handles, service selection, bad endpoints and bodies',
  judges: [
    'ID-DID-04',
    'ID-DID-05',
    'ID-DID-06',
    'ID-DID-07',
    'ID-DID-08',
    'ID-DID-09',
    'ID-DID-10',
    'ID-DID-11',
    'ID-HANDLE-11',
  ],
  async run(ctx) {
    const { net } = ctx;
    const pds = net.pds.url;
    const web = await ctx.account({ handle: 'webby.test', didMethod: 'web', handleVia: 'well-known' });
    // Each case: an account whose PLC document is replaced by `doc(did)`.
    const make = async (
      handle: string,
      doc: (did: string) => DidDocument | string,
      status = 200,
      type = 'application/json',
    ) => {
      const account = await ctx.account({ handle });
      const body = doc(account.did);
      net.plc.overrides.set(account.did, () => ({
        status,
        headers: { 'content-type': type },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }));
      return account;
    };
    const base = (did: string, handle: string) => net.didDocument(did, handle, pds);
    const gone = await make('gone.test', () => '{"message":"tombstoned"}', 410);
    const otherId = await make('otherid.test', () => base('did:plc:aaaaaaaaaaaaaaaaaaaaaaaa', 'otherid.test'));
    const twoServices = await make('twoservices.test', (did) => ({
      ...base(did, 'twoservices.test'),
      service: [
        { id: '#atproto_pds', type: 'SomethingElse', serviceEndpoint: 'http://0.0.0.0:1' },
        { id: `${did}#atproto_pds`, type: 'AtprotoPersonalDataServer', serviceEndpoint: pds },
        { id: '#atproto_pds', type: 'AtprotoPersonalDataServer', serviceEndpoint: 'http://0.0.0.0:2' },
      ],
    }));
    const noPds = await make('nopds.test', (did) => ({ ...base(did, 'nopds.test'), service: [] }));
    const endpoints = ['http://u:p@127.0.0.1:1', `${pds}/xrpc`, `${pds}?x=1`, `${pds}#f`];
    const badEndpoints = [];
    for (const [i, ep] of endpoints.entries()) {
      badEndpoints.push(
        await make(`badep${i}.test`, (did) => ({
          ...base(did, `badep${i}.test`),
          service: [{ id: '#atproto_pds', type: 'AtprotoPersonalDataServer', serviceEndpoint: ep }],
        })),
      );
    }
    const nonString = await make('nonstring.test', (did) => ({
      ...base(did, 'nonstring.test'),
      service: [{ id: '#atproto_pds', type: 'AtprotoPersonalDataServer', serviceEndpoint: { uri: pds } }],
    }));
    const aka = await make('aka.test', (did) => ({
      ...base(did, 'aka.test'),
      alsoKnownAs: ['https://x.example', 'at://aka.test', 'at://other.test'],
    }));
    const akaSecond = await make('second.test', (did) => ({
      ...base(did, 'second.test'),
      alsoKnownAs: ['at://other.test', 'at://second.test'],
    }));
    const akaPath = await make('akapath.test', (did) => ({
      ...base(did, 'akapath.test'),
      alsoKnownAs: ['at://akapath.test/app.bsky.feed.post/1'],
    }));
    const mismatch = await make('mismatch.test', (did) => base(did, 'someone-else.test'));
    const extras = await make('extras.test', (did) => ({
      ...base(did, 'extras.test'),
      unknownField: { nested: true },
      verificationMethod: [
        {
          id: '#other',
          type: 'Multikey',
          controller: did,
          publicKeyMultibase: 'zQ3shXjHeiBuRCKmM36cuYnm7YEMzhGnCmCyW92sRJ9pribSF',
        },
      ],
      service: [
        { id: '#atproto_labeler', type: 'AtprotoLabeler', serviceEndpoint: 'https://labeler.example' },
        { id: '#atproto_pds', type: 'AtprotoPersonalDataServer', serviceEndpoint: pds },
      ],
    }));
    const array = await make('array.test', (did) => `[${JSON.stringify(base(did, 'array.test'))}]`);
    const htmlDoc = await make('htmldoc.test', () => '<html><body>DID</body></html>', 200, 'text/html');
    const huge = await make('huge.test', (did) => ({
      ...base(did, 'huge.test'),
      padding: 'x'.repeat(4 * 1024 * 1024),
    }));
    void [gone, otherId, noPds, nonString, array, htmlDoc, huge];

    const ok = async (id: string, handle: string, expectedDid: string) => {
      const r = await ctx.login(handle);
      ctx.check(
        id,
        r.session?.did === expectedDid,
        `${handle}: ${r.stage} ${r.refusal?.code ?? ''} ${r.refusal?.message ?? ''}`,
      );
    };
    const refused = async (id: string, handle: string) => {
      const r = await ctx.login(handle);
      ctx.check(
        id,
        r.stage === 'authorize' && !ctx.requests('par').some((p) => p.form?.login_hint?.[0] === handle),
        `${handle} was accepted (${r.stage})`,
      );
    };
    await ok('ID-DID-05', 'webby.test', web.did);
    await ok('ID-DID-05', web.did, web.did);
    await refused('ID-DID-05', 'did:web:example.com:u:alice');
    await refused('ID-DID-04', 'gone.test');
    await refused('ID-DID-06', 'otherid.test');
    await ok('ID-DID-07', 'twoservices.test', twoServices.did);
    await refused('ID-DID-07', 'nopds.test');
    for (const [i] of endpoints.entries()) await refused('ID-DID-08', `badep${i}.test`);
    await refused('ID-DID-08', 'nonstring.test');
    await ok('ID-DID-09', 'aka.test', aka.did);
    await refused('ID-DID-09', 'second.test');
    await refused('ID-DID-09', 'akapath.test');
    await refused('ID-HANDLE-11', 'mismatch.test');
    await ok('ID-DID-10', 'extras.test', extras.did);
    await refused('ID-DID-11', 'array.test');
    await refused('ID-DID-11', 'htmldoc.test');
    await refused('ID-DID-11', 'huge.test');
    void akaSecond;
    void akaPath;
    void mismatch;
    void badEndpoints;
  },
};
