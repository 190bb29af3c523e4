// `pnpm --filter @relay/runtimes smoke`: runs the lane on every runtime against one testnet and
// prints a pass/fail table; exit code 1 when any runtime fails. (The vitest project runs the same.)
import { Testnet } from '@relay/testnet';
import { missingEngines } from '../src/engines.js';
import { laneConfig, networkProblems } from '../src/lane-network.js';
import { LANES, runLane } from '../src/run-runtime.js';

const missing = missingEngines();
if (missing.length > 0) {
  console.error(`engines missing (${missing.join(', ')}): run bash tooling/runtimes/ci-setup.sh first`);
  process.exit(1);
}
const net = await Testnet.start();
const rows: string[][] = [];
let failed = 0;
try {
  for (const lane of LANES) {
    const runtime = lane.name;
    const from = net.log.length;
    const config = await laneConfig(net, runtime);
    const run = await runLane(lane, config);
    const problems = run.failure ? [run.failure] : [];
    if (run.report && !run.report.ok) {
      const bad = run.report.steps.find((s) => !s.ok);
      problems.push(`step ${bad?.name}: ${bad?.error?.code ?? ''} ${bad?.error?.message ?? ''}`.trim());
    }
    if (run.report?.ok) problems.push(...networkProblems(net, net.log.slice(from), run.report.did, runtime));
    if (problems.length > 0) failed++;
    rows.push([
      runtime,
      lane.code,
      problems.length === 0 ? 'pass' : 'FAIL',
      run.report?.engine ?? '?',
      run.report?.dpopBuild ?? '?',
      `${run.ms} ms`,
      problems.join('; ') || (run.report?.steps.map((s) => s.name).join(' → ') ?? ''),
    ]);
  }
} finally {
  await net.stop();
}
const header = ['lane', 'code', 'result', 'engine', '@relay/dpop build', 'time', 'steps / problems'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
for (const row of [header, widths.map((w) => '-'.repeat(w)), ...rows]) {
  console.log(`| ${row.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`);
}
console.log(`runtimes: ${LANES.length - failed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
