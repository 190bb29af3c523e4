#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { Testnet } from '@relay/testnet';
import { catalogueWithCoverage } from './catalogue.js';
import { serveDriver } from './driver-server.js';
import { createOfficialDriverAdapter } from './drivers/official-driver.js';
import { createRelayDriverAdapter } from './drivers/relay-driver.js';
import { ConformanceError } from './errors.js';
import type { ProfileResult } from './profile-result.js';
import { buildReport, hasBlockingFailure, renderMarkdown, writeReports } from './report.js';
import { runClientProfile } from './run-client-profile.js';
import { CLIENT_SCENARIOS } from './scenarios/index.js';
import { runServerProfile, SERVER_CHECKS } from './server/run-server-profile.js';

const USAGE = `relay-conformance — ATProto OAuth conformance suite

  relay-conformance client --driver <url> [--driver <url>…] [--report-only <name>…] [--only <scenario,…>] [--report <dir>]
  relay-conformance server --url <pds-or-issuer> [--login-hint <handle>] [--report <dir>]
  relay-conformance reference [--report <dir>]     runs the bundled drivers (@relay/oauth-core, @atproto/oauth-client)
                                                   and the server profile against a fresh mock network (and the
                                                   reference PDS when tooling/refpds is installed), side by side
  relay-conformance catalogue                      prints the catalogue with coverage as JSON

Exit code 1 when an implementation that is not report-only fails a MUST; 2 on usage errors.`;

/* The CLI is the one place that writes to the terminal. */
const out = (s: string) => process.stdout.write(`${s}\n`);

/**
 * The real reference PDS (tooling/refpds, a private workspace package), when it is installed:
 * report-only server profile with its provider's own sign-in API. Absent elsewhere.
 */
async function refPdsLane(): Promise<ProfileResult | undefined> {
  let mod: typeof import('@relay/refpds');
  try {
    mod = await import('@relay/refpds');
  } catch {
    return undefined;
  }
  const missing = mod.refPdsMissing();
  if (missing) {
    out(`  reference PDS lane skipped: ${missing}`);
    return undefined;
  }
  const pds = await mod.startRefPds({ accounts: ['alice.test:alice-pass-123'] });
  try {
    return await runServerProfile({
      url: pds.pdsUrl,
      name: '@atproto/pds (reference)',
      loginHint: 'alice.test',
      login: async (url) =>
        (await mod.loginWithProviderApi(url, { username: 'alice.test', password: 'alice-pass-123' })).params.toString(),
    });
  } finally {
    await pds.stop();
  }
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      driver: { type: 'string', multiple: true },
      'report-only': { type: 'string', multiple: true },
      only: { type: 'string' },
      url: { type: 'string' },
      'login-hint': { type: 'string' },
      report: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const command = positionals[0];
  if (values.help || !command) {
    out(USAGE);
    return command ? 0 : 2;
  }
  const results: ProfileResult[] = [];
  const reportOnly = [...(values['report-only'] ?? [])];
  const progress = (name: string) => (s: { id: string }, v: readonly { outcome: string }[], error?: string) => {
    const fails = v.filter((x) => x.outcome === 'fail').length;
    out(`  ${name} · ${s.id}: ${error ? `crashed (${error})` : `${v.length} verdicts, ${fails} failing`}`);
  };
  if (command === 'catalogue') {
    out(JSON.stringify(catalogueWithCoverage(CLIENT_SCENARIOS, SERVER_CHECKS), null, 2));
    return 0;
  } else if (command === 'client') {
    if (!values.driver?.length) throw new ConformanceError('INVALID_OPTIONS', 'client needs --driver <url>.');
    for (const url of values.driver) {
      results.push(
        await runClientProfile({
          driver: url,
          ...(values.only ? { only: values.only.split(',') } : {}),
          onScenario: progress(url),
        }),
      );
    }
  } else if (command === 'server') {
    if (!values.url) throw new ConformanceError('INVALID_OPTIONS', 'server needs --url <pds-or-issuer>.');
    results.push(
      await runServerProfile({ url: values.url, ...(values['login-hint'] ? { loginHint: values['login-hint'] } : {}) }),
    );
  } else if (command === 'reference') {
    const relay = await serveDriver(createRelayDriverAdapter());
    const official = await serveDriver(createOfficialDriverAdapter());
    try {
      results.push(await runClientProfile({ driver: relay.url, onScenario: progress('relay') }));
      const peer = await runClientProfile({ driver: official.url, onScenario: progress('official') });
      results.push(peer);
      reportOnly.push(peer.implementation);
    } finally {
      await relay.close();
      await official.close();
    }
    const net = await Testnet.start();
    try {
      await net.createAccount({ handle: 'alice.test' });
      const server = await runServerProfile({
        url: net.pds.url,
        loginHint: 'alice.test',
        name: 'testnet (mock AS + PDS)',
      });
      results.push(server);
      reportOnly.push(server.implementation);
    } finally {
      await net.stop();
    }
    const refpds = await refPdsLane();
    if (refpds) {
      results.push(refpds);
      reportOnly.push(refpds.implementation);
    }
  } else {
    out(USAGE);
    return 2;
  }
  const report = buildReport(results, { scenarios: CLIENT_SCENARIOS, serverChecks: SERVER_CHECKS, reportOnly });
  out(renderMarkdown(report));
  if (values.report) for (const f of await writeReports(values.report, report)) out(`wrote ${f}`);
  return hasBlockingFailure(report) ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(
      `relay-conformance: ${err instanceof ConformanceError ? `${err.code}: ` : ''}${(err as Error).message}\n`,
    );
    process.exitCode = 2;
  },
);
