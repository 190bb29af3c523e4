import type { Scenario } from '../scenario.js';

const BAD_HANDLES = [
  'john..test',
  'name.org.',
  'cn.8',
  'john.0',
  'org',
  'jo@hn.test',
  '💩.test',
  `${'a'.repeat(64)}.test`,
  '-lead.test',
];
const RESERVED = [
  'laptop.local',
  'blah.arpa',
  'hidden.onion',
  'corp.internal',
  'site.example',
  'box.localhost',
  'x.alt',
];
const BAD_DIDS = [
  'did:METHOD:val',
  'did:m123:val',
  'did:plc:',
  'did:plc:ewvi7nxzyoun6zhxrhs64oiz/two',
  'did:plc:ewvi7nxzyoun6zhxrhs64oiz?two',
  'did:plc:ewvi7nxzyoun6zhxrhs64oiz#two',
  `did:plc:${'a'.repeat(2050)}`,
];
const BAD_PLC = [
  'did:plc:EWVI7NXZYOUN6ZHXRHS64OIZ',
  'did:plc:ewvi7nxzyoun6zhxrhs64oi',
  'did:plc:ewvi7nxzyoun6zhxrhs64o18',
];

/** Identifiers that must be refused before any DNS, HTTP or PLC traffic, and normalisation of good ones. */
export const identifierSyntax: Scenario = {
  id: 'identifier-syntax',
  title: 'Invalid, reserved and unsupported identifiers are refused with no network traffic',
  judges: ['ID-HANDLE-01', 'ID-HANDLE-02', 'ID-HANDLE-03', 'ID-HANDLE-15', 'ID-DID-01', 'ID-DID-02', 'ID-DID-03'],
  async run(ctx) {
    await ctx.ready();
    const refusedQuietly = async (id: string, input: string) => {
      const before = ctx.traffic();
      const res = await ctx.driver.authorize({ input });
      ctx.check(
        id,
        res.refused && ctx.quietSince(before),
        `"${input.slice(0, 60)}" ${res.refused ? 'caused network traffic' : 'was accepted'}`,
      );
      return res;
    };
    for (const h of BAD_HANDLES) await refusedQuietly('ID-HANDLE-01', h);
    for (const h of RESERVED) await refusedQuietly('ID-HANDLE-03', h);
    await refusedQuietly('ID-HANDLE-15', 'handle.invalid');
    for (const d of BAD_DIDS) await refusedQuietly('ID-DID-01', d);
    for (const d of BAD_PLC) {
      const res = await ctx.driver.authorize({ input: d });
      ctx.check(
        'ID-DID-03',
        res.refused && !ctx.net.plc.requests.includes(d),
        `${d} ${res.refused ? 'was looked up' : 'was accepted'}`,
      );
    }
    const syntax = await ctx.driver.authorize({ input: 'did:METHOD:val' });
    const unsupported = await refusedQuietly('ID-DID-02', 'did:key:zQ3shZc2QzApp2oymGvQbzP8eKheVshBHbU4ZYjeXqwSKEn6N');
    if (syntax.refused && unsupported.refused) {
      ctx.check(
        'ID-DID-02',
        syntax.code !== unsupported.code || syntax.message !== unsupported.message,
        'the same error for a bad DID and an unsupported method',
      );
    }
    const login = await ctx.login('@Alice.TEST');
    ctx.check(
      'ID-HANDLE-02',
      login.stage === 'done' &&
        ctx.net.dns.queries.includes('_atproto.alice.test') &&
        !ctx.net.dns.queries.some((q) => /[A-Z@]/.test(q)),
      `login "@Alice.TEST": ${login.stage} ${login.refusal?.message ?? ''}`,
    );
  },
};
