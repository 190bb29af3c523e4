// The lane's script for Node, Bun and Deno: the config arrives as one JSON argument, the report
// leaves as one JSON line on stdout. Deno and Bun also provide `process`; Deno's argv is Deno.args.
import { runSmokeFlow, type SmokeConfig } from '../src/smoke-flow.js';

const g = globalThis as { Deno?: { args: string[] }; process?: { argv: string[] } };
const arg = g.Deno ? g.Deno.args[0] : g.process?.argv[2];
const report = await runSmokeFlow(JSON.parse(arg ?? '{}') as SmokeConfig);
console.log(JSON.stringify(report));
