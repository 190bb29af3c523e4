import { startHttpServer } from '@relay/testnet';
import type { Scenario } from '../scenario.js';

/** DNS and well-known handle resolution, honest and misbehaving. */
export const handleResolution: Scenario = {
  id: 'handle-resolution',
  title: 'Well-known handles, odd bodies, bad TXT records, disagreeing methods, redirects to special addresses',
  judges: [
    'ID-HANDLE-04',
    'ID-HANDLE-05',
    'ID-HANDLE-06',
    'ID-HANDLE-08',
    'ID-HANDLE-09',
    'ID-HANDLE-10',
    'ID-HANDLE-12',
  ],
  async run(ctx) {
    const { net } = ctx;
    const bob = await ctx.account({ handle: 'bob.test', handleVia: 'well-known' });
    const carol = await ctx.account({ handle: 'carol.test', handleVia: 'well-known' });
    // carol's host answers with an unusual content type and whitespace: still valid (ID-HANDLE-06).
    await net.hosts.setOverride('carol.test', (path) =>
      path === '/.well-known/atproto-did'
        ? { status: 200, headers: { 'content-type': 'application/octet-stream' }, body: `  ${carol.did}\n` }
        : undefined,
    );
    const bad: Record<string, string> = {
      'notfound.test': '',
      'jsonwrap.test': '',
      'prefixed.test': '',
    };
    await net.hosts.setOverride('notfound.test', () => ({ status: 404, body: 'nope' }));
    await net.hosts.setOverride('jsonwrap.test', () => ({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ did: bob.did }),
    }));
    await net.hosts.setOverride('prefixed.test', () => ({ status: 200, body: `did is ${bob.did}` }));
    net.dns.txt.set('_atproto.spf.test', ['v=spf1 -all']);
    net.dns.txt.set('_atproto.twodids.test', [`did=${bob.did}`, `did=${carol.did}`]);
    net.dns.txt.set('_atproto.didkey.test', ['did=did:key:zQ3shZc2QzApp2oymGvQbzP8eKheVshBHbU4ZYjeXqwSKEn6N']);
    net.dns.txt.set('_atproto.upper.test', [`did=${bob.did.toUpperCase()}`]);
    // split.test: DNS says dave, the well-known host says erin; both documents claim the handle.
    const dave = await ctx.account({ handle: 'split.test', handleVia: 'dns' });
    const erin = await net.createAccount({ handle: 'erin.test' });
    net.plc.documents.set(erin.did, net.didDocument(erin.did, 'split.test', net.pds.url));
    await net.hosts.setDid('split.test', erin.did);
    // redirects: one to 0.0.0.0 (a special-use address that lands on a local trap), one looping.
    const trap = await startHttpServer(() => ({ status: 200, body: bob.did }));
    await net.hosts.setOverride('redirect.test', () => ({
      status: 302,
      headers: { location: `http://0.0.0.0:${trap.port}/.well-known/atproto-did` },
    }));
    await net.hosts.setOverride('loop.test', (path) => ({ status: 301, headers: { location: path } }));
    for (const name of Object.keys(bad)) await net.hosts.setDid(name, undefined);
    ctx.networkChanged();
    try {
      const viaWellKnown = await ctx.login('bob.test');
      ctx.check(
        'ID-HANDLE-09',
        viaWellKnown.session?.did === bob.did,
        `well-known-only handle: ${viaWellKnown.stage} ${viaWellKnown.refusal?.message ?? ''}`,
      );
      const odd = await ctx.login('carol.test');
      ctx.check(
        'ID-HANDLE-06',
        odd.session?.did === carol.did,
        `octet-stream body with whitespace: ${odd.stage} ${odd.refusal?.message ?? ''}`,
      );
      for (const name of Object.keys(bad)) {
        const res = await ctx.login(name);
        ctx.check('ID-HANDLE-06', res.stage === 'authorize', `${name} was accepted`);
      }
      const spf = await ctx.login('spf.test');
      ctx.check('ID-HANDLE-04', spf.stage === 'authorize', 'a TXT record without did= was used');
      const two = await ctx.login('twodids.test');
      ctx.check('ID-HANDLE-05', two.stage === 'authorize', 'two different DIDs in TXT records were accepted');
      for (const name of ['didkey.test', 'upper.test']) {
        const res = await ctx.login(name);
        ctx.check('ID-HANDLE-12', res.stage === 'authorize', `${name}: an invalid or unsupported DID was accepted`);
      }
      const split = await ctx.login('split.test');
      ctx.check('ID-HANDLE-10', split.session?.did !== erin.did, 'the well-known answer won over DNS');
      ctx.observe('ID-HANDLE-10', split.session?.did === dave.did || split.stage === 'authorize');
      const redirected = await ctx.login('redirect.test');
      ctx.check(
        'ID-HANDLE-08',
        trap.connections() === 0 && redirected.stage === 'authorize',
        `redirect to 0.0.0.0: trap connections ${trap.connections()}, stage ${redirected.stage}`,
      );
      const loop = await ctx.login('loop.test');
      ctx.check('ID-HANDLE-08', loop.stage === 'authorize', 'a redirect loop led somewhere');
    } finally {
      await trap.close();
    }
  },
};
