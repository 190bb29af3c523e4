import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ProfileResult } from '../src/profile-result.js';
import { buildReport, hasBlockingFailure, renderHtml, renderMarkdown, writeReports } from '../src/report.js';
import { foldVerdicts, type Verdict } from '../src/verdict.js';

function result(name: string, verdicts: Verdict[]): ProfileResult {
  return { implementation: name, profile: 'client', verdicts, rows: foldVerdicts(verdicts), errors: {} };
}

const scenarios = [{ id: 's1', judges: ['ISS-01', 'DPOP-10', 'NONCE-07'] }];

describe('verdicts and reports', () => {
  it('a fail in any scenario wins over passes; details come from the failing scenario', () => {
    const rows = foldVerdicts([
      { id: 'ISS-01', by: 'a', outcome: 'pass' },
      { id: 'ISS-01', by: 'b', outcome: 'fail', detail: 'wrong iss accepted' },
      { id: 'DPOP-10', by: 'a', outcome: 'skip', detail: 'unsupported' },
    ]);
    expect(rows.get('ISS-01')).toEqual({ outcome: 'fail', details: ['b: wrong iss accepted'], by: ['a', 'b'] });
    expect(rows.get('DPOP-10')?.outcome).toBe('skip');
  });

  it('a MUST failure fails the run unless the column is report-only; unverified MUSTs and SHOULDs never do', () => {
    const relay = result('relay', [{ id: 'ISS-01', by: 's1', outcome: 'fail', detail: 'x' }]);
    const peer = result('peer', [{ id: 'ISS-01', by: 's1', outcome: 'fail', detail: 'y' }]);
    expect(hasBlockingFailure(buildReport([relay, peer], { scenarios }))).toBe(true);
    expect(hasBlockingFailure(buildReport([peer], { scenarios, reportOnly: ['peer'] }))).toBe(false);
    const soft = result('soft', [
      { id: 'NONCE-07', by: 's1', outcome: 'fail', detail: 'unverified MUST' },
      { id: 'DPOP-10', by: 's1', outcome: 'fail', detail: 'SHOULD' },
    ]);
    expect(hasBlockingFailure(buildReport([soft], { scenarios }))).toBe(false);
  });

  it('Markdown and HTML have one row per requirement and one column per implementation, with failing details', async () => {
    const report = buildReport(
      [
        result('relay', [{ id: 'ISS-01', by: 's1', outcome: 'pass' }]),
        result('peer <x>', [{ id: 'ISS-01', by: 's1', outcome: 'fail', detail: 'iss "evil" accepted' }]),
      ],
      { scenarios },
    );
    const md = renderMarkdown(report);
    const line = md.split('\n').find((l) => l.startsWith('| ISS-01 |'));
    expect(line?.endsWith('| pass | FAIL |')).toBe(true);
    expect(md).toContain('iss "evil" accepted');
    const page = renderHtml(report);
    expect(page).toContain('peer &#60;x&#62;');
    expect(page.match(/<tr><td><code>/g)?.length).toBe(report.rows.length);
    const dir = await mkdtemp(join(tmpdir(), 'conformance-report-'));
    try {
      const files = await writeReports(dir, report);
      expect(JSON.parse(await readFile(files[0] as string, 'utf8')).rows).toHaveLength(report.rows.length);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
