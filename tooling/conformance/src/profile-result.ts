import type { RowResult, Verdict } from './verdict.js';

/** One implementation's run of one profile: the raw verdicts and the folded per-row results. */
export interface ProfileResult {
  /** The report column name (driver name, or the server URL). */
  implementation: string;
  version?: string;
  profile: 'client' | 'server';
  verdicts: Verdict[];
  rows: Map<string, RowResult>;
  /** Scenarios or checks that crashed, with the reason. */
  errors: Record<string, string>;
}
