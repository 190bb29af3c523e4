// Resolution benchmark: handle+DID cold vs cached, and parallel DNS/HTTPS vs a serial baseline.
// Everything runs on loopback: a real UDP DNS server (dns-packet) and node:http servers, with
// injected latency where noted. Run after `pnpm build`: `pnpm --filter @relay/identity bench`.
import dgram from 'node:dgram';
import http from 'node:http';
import dnsPacket from 'dns-packet';
import { Bench } from 'tinybench';
import {
  createDnsHandleResolver,
  createIdentityResolver,
  createParallelHandleResolver,
  createWellKnownHandleResolver,
} from '../dist/index.js';
import { createNodeSafeFetch, createNodeTxtLookup } from '../dist/node.js';

const DID = 'did:plc:ewvi7nxzyoun6zhxrhs64oiz';
const PDS = { id: '#atproto_pds', type: 'AtprotoPersonalDataServer', serviceEndpoint: 'https://pds.example.com' };
const DOC = { id: DID, alsoKnownAs: ['at://dns.test'], service: [PDS] };
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 20);
const latency = { dns: 0, http: 0 };

async function startDns(zone) {
  const socket = dgram.createSocket('udp4');
  socket.on('message', (msg, rinfo) => {
    const q = dnsPacket.decode(msg);
    const question = q.questions[0];
    const txt = question.type === 'TXT' ? (zone[question.name] ?? []) : [];
    const reply = dnsPacket.encode({
      id: q.id,
      type: 'response',
      flags: dnsPacket.RECURSION_AVAILABLE | (zone[question.name] ? 0 : 3),
      questions: q.questions,
      answers: txt.map((data) => ({ type: 'TXT', name: question.name, ttl: 60, data })),
    });
    setTimeout(() => socket.send(reply, rinfo.port, rinfo.address), latency.dns);
  });
  await new Promise((r) => socket.bind(0, '127.0.0.1', r));
  return { server: `127.0.0.1:${socket.address().port}`, close: () => socket.close() };
}

async function startHttp(handler) {
  const server = http.createServer((req, res) => setTimeout(() => handler(req, res), latency.http));
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { port: server.address().port, close: () => server.closeAllConnections() || server.close() };
}

const dns = await startDns({ '_atproto.dns.test': [[`did=${DID}`]] });
const web = await startHttp((req, res) => {
  const host = (req.headers.host ?? '').split(':')[0];
  if (req.url === '/.well-known/atproto-did' && host === 'wk.test') return res.writeHead(200).end(DID);
  if (req.url?.startsWith('/did%3Aplc')) {
    res.writeHead(200, { 'content-type': 'application/json' });
    return res.end(JSON.stringify(DOC));
  }
  res.writeHead(404).end();
});

const fetch = createNodeSafeFetch({
  allowHttp: true,
  allowLoopback: true,
  hostMap: { 'wk.test': `http://wk.test:${web.port}`, 'dns.test': `http://dns.test:${web.port}` },
  lookup: async () => [{ address: '127.0.0.1', family: 4 }],
});
const txt = createNodeTxtLookup({ servers: [dns.server] });
const identity = createIdentityResolver({ fetch, txt, dev: true, plcDirectoryUrl: `http://127.0.0.1:${web.port}` });
const dnsResolver = createDnsHandleResolver({ txt });
const wkResolver = createWellKnownHandleResolver({ fetch });
const parallel = createParallelHandleResolver({ dns: dnsResolver, wellKnown: wkResolver });
const serial = { resolve: async (h) => (await dnsResolver.resolve(h)) ?? wkResolver.resolve(h) };

async function run(title, tasks, options) {
  const bench = new Bench(options);
  for (const [name, fn] of tasks) bench.add(name, fn);
  await bench.run();
  console.log(`\n## ${title}`);
  const means = {};
  for (const t of bench.tasks) {
    means[t.name] = t.result.latency.mean;
    console.log(
      `${t.name.padEnd(44)} mean ${t.result.latency.mean.toFixed(3)} ms  p99 ${t.result.latency.p99.toFixed(3)} ms  (${t.result.latency.samplesCount ?? t.runs} runs)`,
    );
  }
  return means;
}

// 1. Cold vs cached, no injected latency: what the cache saves on top of bare loopback I/O.
await identity.resolveIdentity('dns.test');
const a = await run(
  'resolveIdentity("dns.test"): cold (noCache) vs cached — loopback, no injected latency',
  [
    ['cold: DNS TXT + PLC document', () => identity.resolveIdentity('dns.test', { noCache: true })],
    ['cached', () => identity.resolveIdentity('dns.test')],
  ],
  { time: 1500 },
);
console.log(`ratio cold / cached: ${(a['cold: DNS TXT + PLC document'] / a.cached).toFixed(1)}x`);

// 2. Parallel vs serial for a well-known-only handle (DNS answers "nothing" after LATENCY_MS).
latency.dns = LATENCY_MS;
latency.http = LATENCY_MS;
const b = await run(
  `well-known-only handle, ${LATENCY_MS} ms injected on DNS and HTTP`,
  [
    ['parallel (DNS ‖ HTTPS)', () => parallel.resolve('wk.test')],
    ['serial baseline (DNS, then HTTPS)', () => serial.resolve('wk.test')],
  ],
  { time: 1500, warmupIterations: 2 },
);
console.log(
  `ratio serial / parallel: ${(b['serial baseline (DNS, then HTTPS)'] / b['parallel (DNS ‖ HTTPS)']).toFixed(2)}x`,
);

// 3. DNS-answered handle with the same latency: DNS wins, HTTPS is cancelled; no cost vs DNS alone.
const c = await run(
  `DNS-answered handle, ${LATENCY_MS} ms injected`,
  [
    ['parallel (DNS wins, HTTPS cancelled)', () => parallel.resolve('dns.test')],
    ['DNS only', () => dnsResolver.resolve('dns.test')],
  ],
  { time: 1500, warmupIterations: 2 },
);
console.log(`ratio parallel / DNS-only: ${(c['parallel (DNS wins, HTTPS cancelled)'] / c['DNS only']).toFixed(2)}x`);

// 4. Cold vs cached with latency: the cache's effect on a realistic-ish round trip.
const d = await run(
  `resolveIdentity cold vs cached, ${LATENCY_MS} ms injected`,
  [
    ['cold', () => identity.resolveIdentity('dns.test', { noCache: true })],
    ['cached', () => identity.resolveIdentity('dns.test')],
  ],
  { time: 1500, warmupIterations: 2 },
);
console.log(`ratio cold / cached: ${(d.cold / d.cached).toFixed(0)}x`);

dns.close();
web.close();
