import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createNodeSafeFetch } from '@relay/identity/node';
import { buildClientMetadata } from './client-metadata/build-client-metadata.js';
import { doctor } from './client-metadata/doctor.js';
import { OAuthError } from './errors.js';
import { generateClientKey, Keyset } from './keyset.js';
import { p256Multibase } from './util/multibase.js';

// relay-oauth: keygen, doctor and metadata from the command line. The one place in this package
// that writes to stdout/stderr, because it is a program, not a library.

const HELP: Record<string, string> = {
  main: `relay-oauth <command> [options]

Commands:
  keygen     make an ES256 private key (JWK with kid), its public JWKS and multibase form
  doctor     check a deployed client_id the way an authorization server will
  metadata   print a client metadata document built from flags

Run "relay-oauth <command> --help" for a command's options.`,
  keygen: `relay-oauth keygen [--kid <kid>]

Prints JSON: { privateJwk, publicJwks, multibase }. Keep privateJwk secret (e.g. an env var);
publish publicJwks in your metadata's "jwks" or at "jwks_uri". Rotate by adding a new key last.`,
  doctor: `relay-oauth doctor <client_id> [--json] [--host-map name=http://127.0.0.1:port]...

Fetches the client metadata document (and its JWKS) and lists every violated rule with its
requirement ID. Exit code 1 when a MUST is violated. --host-map is for testing on loopback.`,
  metadata: `relay-oauth metadata --client-id <url> --redirect-uri <uri>... --scope <scope>
                     [--application-type web|native] [--client-name <name>] [--client-uri <url>]
                     [--jwks-uri <url> | --jwks-file <private-keys.json>]

Prints a validated client metadata document. With --jwks-file (a JSON array of private JWKs, as
keygen makes them) the document is for a confidential client and embeds the public keys.`,
};

function out(text: string): void {
  process.stdout.write(`${text}\n`);
}

async function keygen(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { kid: { type: 'string' }, help: { type: 'boolean' } } });
  if (values.help) {
    out(HELP.keygen as string);
    return 0;
  }
  const privateJwk = await generateClientKey(values.kid ? { kid: values.kid } : {});
  const keyset = await Keyset.from([privateJwk]);
  out(JSON.stringify({ privateJwk, publicJwks: keyset.publicJwks, multibase: p256Multibase(privateJwk) }, null, 2));
  return 0;
}

async function runDoctor(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { json: { type: 'boolean' }, 'host-map': { type: 'string', multiple: true }, help: { type: 'boolean' } },
  });
  if (values.help || positionals.length !== 1) {
    out(HELP.doctor as string);
    return values.help ? 0 : 2;
  }
  const hostMap = Object.fromEntries((values['host-map'] ?? []).map((pair) => pair.split('=', 2) as [string, string]));
  const dev = Object.keys(hostMap).length > 0;
  const fetch = createNodeSafeFetch({
    maxBytes: 64 * 1024,
    ...(dev ? { hostMap, allowHttp: true, allowLoopback: true } : {}),
  });
  const report = await doctor(positionals[0] as string, { fetch });
  if (values.json) out(JSON.stringify(report, null, 2));
  else {
    out(`${report.clientId}: ${report.ok ? 'OK' : 'NOT OK'}${report.kind ? ` (${report.kind} client)` : ''}`);
    for (const v of report.violations)
      out(`  ${v.level === 'MUST' ? '✗' : '!'} ${v.id}${v.path ? ` ${v.path}` : ''}: ${v.message}`);
    if (report.violations.length === 0) out('  no violations');
  }
  return report.ok ? 0 : 1;
}

async function metadata(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      'client-id': { type: 'string' },
      'redirect-uri': { type: 'string', multiple: true },
      scope: { type: 'string' },
      'application-type': { type: 'string' },
      'client-name': { type: 'string' },
      'client-uri': { type: 'string' },
      'jwks-uri': { type: 'string' },
      'jwks-file': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help || !values['client-id'] || !values['redirect-uri'] || !values.scope) {
    out(HELP.metadata as string);
    return values.help ? 0 : 2;
  }
  const type = values['application-type'];
  if (type !== undefined && type !== 'web' && type !== 'native') {
    throw new OAuthError('INVALID_INPUT', '--application-type must be web or native');
  }
  const keyset = values['jwks-file']
    ? await Keyset.from(JSON.parse(readFileSync(values['jwks-file'], 'utf8')))
    : undefined;
  const doc = buildClientMetadata({
    clientId: values['client-id'],
    redirectUris: values['redirect-uri'],
    scope: values.scope,
    ...(type ? { applicationType: type } : {}),
    ...(values['client-name'] ? { clientName: values['client-name'] } : {}),
    ...(values['client-uri'] ? { clientUri: values['client-uri'] } : {}),
    ...(values['jwks-uri'] ? { jwksUri: values['jwks-uri'] } : {}),
    ...(keyset ? { keyset } : {}),
  });
  out(JSON.stringify(doc, null, 2));
  return 0;
}

const commands: Record<string, (argv: string[]) => Promise<number>> = { keygen, doctor: runDoctor, metadata };

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    out(HELP.main as string);
    return command ? 0 : 2;
  }
  const run = commands[command];
  if (!run) {
    process.stderr.write(`unknown command "${command}"\n${HELP.main}\n`);
    return 2;
  }
  return run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const code = err instanceof OAuthError ? `${err.code}: ` : '';
    process.stderr.write(`relay-oauth: ${code}${(err as Error)?.message ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
