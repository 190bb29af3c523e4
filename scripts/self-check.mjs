#!/usr/bin/env node
// The Quick start's "main job" until the demo exists: loads each built package through its
// public entry point and runs one real round trip, so a newcomer sees the toolkit work.
import { computeChallenge, generatePkce, verifyPkce } from '@relay/pkce';

const checks = [];
async function check(name, fn) {
  const t0 = performance.now();
  await fn();
  checks.push(`  ok  ${name} (${(performance.now() - t0).toFixed(1)} ms)`);
}

await check('@relay/pkce: RFC 7636 Appendix B vector', async () => {
  const c = await computeChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk');
  if (c !== 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM') throw new Error(`wrong challenge ${c}`);
});
await check('@relay/pkce: generate + server-side verify', async () => {
  const p = await generatePkce();
  await verifyPkce(p);
});

process.stdout.write(`Relay self-check\n${checks.join('\n')}\nall ${checks.length} checks passed\n`);
