import { Testnet } from '@relay/testnet';
import { DriverClient } from './driver-client.js';
import { ConformanceError } from './errors.js';
import type { ProfileResult } from './profile-result.js';
import { type Scenario, ScenarioContext, SkipScenario } from './scenario.js';
import { CLIENT_SCENARIOS } from './scenarios/index.js';
import { foldVerdicts, type Verdict } from './verdict.js';

export interface ClientProfileOptions {
  /** The driver's URL (`http://127.0.0.1:<port>`). */
  driver: string;
  /** Column name in the report; default the driver's `/info` name. */
  name?: string;
  /** Run only these scenario ids. */
  only?: readonly string[];
  /** Per-scenario time limit. Default 60 s. */
  scenarioTimeoutMs?: number;
  /** Per driver call time limit. Default 30 s. */
  driverTimeoutMs?: number;
  /** Called after each scenario (progress output). */
  onScenario?: (scenario: Scenario, verdicts: readonly Verdict[], error?: string) => void;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Runs the client profile: every scenario gets a fresh mock network with one account
 * (alice.test), the driver is configured with the standard public web client, and the scenario
 * judges what the client did. A scenario that crashes fails every row it judges.
 */
export async function runClientProfile(options: ClientProfileOptions): Promise<ProfileResult> {
  const driver = new DriverClient(options.driver, { timeoutMs: options.driverTimeoutMs ?? 30_000 });
  const info = await driver.info();
  let scenarios: readonly Scenario[] = CLIENT_SCENARIOS;
  if (options.only) {
    const unknown = options.only.filter((id) => !CLIENT_SCENARIOS.some((s) => s.id === id));
    if (unknown.length > 0) throw new ConformanceError('UNKNOWN_SCENARIO', `No scenario named ${unknown.join(', ')}.`);
    scenarios = CLIENT_SCENARIOS.filter((s) => options.only?.includes(s.id));
  }
  const verdicts: Verdict[] = [];
  const errors: Record<string, string> = {};
  for (const scenario of scenarios) {
    const net = await Testnet.start();
    const ctx = new ScenarioContext(scenario, net, driver);
    let error: string | undefined;
    try {
      await ctx.account({ handle: 'alice.test', handleVia: 'dns' });
      await withTimeout(scenario.run(ctx), options.scenarioTimeoutMs ?? 60_000, `scenario ${scenario.id}`);
    } catch (err) {
      if (err instanceof SkipScenario) {
        for (const id of scenario.judges) {
          if (!ctx.verdicts.some((v) => v.id === id)) {
            ctx.verdicts.push({ id, by: scenario.id, outcome: 'skip', detail: err.message });
          }
        }
      } else {
        error = (err as Error).message;
        errors[scenario.id] = error;
        for (const id of scenario.judges) {
          ctx.verdicts.push({ id, by: scenario.id, outcome: 'fail', detail: `scenario crashed: ${error}` });
        }
      }
    } finally {
      await net.stop();
    }
    verdicts.push(...ctx.verdicts);
    options.onScenario?.(scenario, ctx.verdicts, error);
  }
  return {
    implementation: options.name ?? info.name,
    ...(info.version ? { version: info.version } : {}),
    profile: 'client',
    verdicts,
    rows: foldVerdicts(verdicts),
    errors,
  };
}
