import type { Scenario } from '../scenario.js';
import { loginFlow } from './login-flow.js';

/** Every scenario of the client profile, in run order. */
export const CLIENT_SCENARIOS: readonly Scenario[] = [loginFlow];
