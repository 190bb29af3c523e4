#!/usr/bin/env node
import { loadConfig } from './config.js';
import { DemoError } from './errors.js';
import { startDemo } from './start-demo.js';

// The CLI: `pnpm --filter @relay/demo start` (or `relay-demo`). Configuration comes from the
// environment only; see the README for every variable.
const quiet = process.env.LOG_LEVEL === 'silent';
const logger = {
  info: (m: string, f?: Record<string, unknown>) => (quiet ? undefined : console.log(`[demo] ${m}`, f ?? '')),
  warn: (m: string, f?: Record<string, unknown>) => (quiet ? undefined : console.warn(`[demo] ${m}`, f ?? '')),
};

async function main(): Promise<void> {
  const started = performance.now();
  const config = loadConfig(process.env);
  if (config.network !== 'public') console.log('Starting a local ATProto network (a few seconds)…');
  const demo = await startDemo(config, {
    logger,
    onFallback: (reason) =>
      console.log(`The reference PDS is not available (${reason}); using the Relay testnet instead.`),
  });
  const lines = [
    '',
    `  Relay artist portal: ${demo.url}`,
    `  Network:  ${demo.network ? demo.network.description : 'the public ATProto network'}`,
    `  Sessions: ${demo.store.kind === 'sqlite' ? `SQLite ${demo.store.file}` : `Redis ${demo.store.url}`}`,
  ];
  const account = demo.network?.accounts[0];
  if (account) {
    lines.push(
      `  Demo login: handle ${account.handle}${account.password ? `, password ${account.password}` : ' (no password: the testnet approves consent by itself)'}`,
    );
  }
  lines.push(`  Ready in ${((performance.now() - started) / 1000).toFixed(1)} s. Press Ctrl+C to stop.`, '');
  console.log(lines.join('\n'));
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping the portal${demo.network ? ' and the local network' : ''}…`);
    demo.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err) => {
  console.error(err instanceof DemoError ? `relay-demo: ${err.message}` : err);
  process.exit(1);
});
