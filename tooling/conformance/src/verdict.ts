/** The result of judging one requirement in one scenario (or one server check). */
export type Outcome = 'pass' | 'fail' | 'skip' | 'na';

export interface Verdict {
  id: string;
  /** Scenario or server-check id that produced it. */
  by: string;
  outcome: Outcome;
  detail?: string;
}

/** One requirement's result for one implementation, folded over every verdict about it. */
export interface RowResult {
  outcome: Outcome;
  /** Failing (or skipped) details, one per verdict, prefixed with the scenario id. */
  details: string[];
  by: string[];
}

/** fail beats pass beats na beats skip; details are those of the winning outcome (none for a pass). */
export function foldVerdicts(verdicts: readonly Verdict[]): Map<string, RowResult> {
  const rank: Record<Outcome, number> = { fail: 3, pass: 2, na: 1, skip: 0 };
  const grouped = new Map<string, Verdict[]>();
  for (const v of verdicts) grouped.set(v.id, [...(grouped.get(v.id) ?? []), v]);
  const out = new Map<string, RowResult>();
  for (const [id, list] of grouped) {
    const outcome = list.reduce<Outcome>((best, v) => (rank[v.outcome] > rank[best] ? v.outcome : best), 'skip');
    const details =
      outcome === 'pass'
        ? []
        : list.filter((v) => v.outcome === outcome && v.detail).map((v) => `${v.by}: ${v.detail as string}`);
    out.set(id, { outcome, details, by: [...new Set(list.map((v) => v.by))] });
  }
  return out;
}
