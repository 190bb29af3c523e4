import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CATALOGUE, catalogueWithCoverage, isBlocking, isClientRow } from './catalogue.js';
import type { CatalogueEntry } from './catalogue-types.js';
import { ConformanceError } from './errors.js';
import type { ProfileResult } from './profile-result.js';
import type { Outcome } from './verdict.js';

/** One implementation's cell in a row. */
export interface ReportCell {
  outcome: Outcome | 'not-judged';
  details: string[];
}

export interface ReportColumn {
  name: string;
  version?: string;
  profile: 'client' | 'server';
  /** Failures in this column never make the run fail (e.g. a peer implementation). */
  reportOnly: boolean;
  totals: Record<Outcome, number>;
  /** Blocking rows (confirmed MUST / MUST NOT) that failed. */
  blockingFailures: string[];
  errors: Record<string, string>;
}

export interface Report {
  generatedAt: string;
  columns: ReportColumn[];
  rows: (CatalogueEntry & { cells: Record<string, ReportCell> })[];
  coverage: { clientRows: number; automated: number; percent: number };
}

/**
 * Builds the side-by-side report: one row per requirement id, one column per implementation.
 * `reportOnly` names columns whose failures are shown but do not fail the run.
 */
export function buildReport(
  results: readonly ProfileResult[],
  options: {
    scenarios: readonly { id: string; judges: readonly string[] }[];
    serverChecks?: readonly { id: string; judges: readonly string[] }[];
    reportOnly?: readonly string[];
    now?: Date;
  },
): Report {
  const catalogue = catalogueWithCoverage(options.scenarios, options.serverChecks);
  const columns: ReportColumn[] = results.map((r) => {
    const totals: Record<Outcome, number> = { pass: 0, fail: 0, skip: 0, na: 0 };
    const blockingFailures: string[] = [];
    for (const req of CATALOGUE) {
      const row = r.rows.get(req.id);
      if (!row) continue;
      totals[row.outcome]++;
      if (row.outcome === 'fail' && isBlocking(req)) blockingFailures.push(req.id);
    }
    return {
      name: r.implementation,
      ...(r.version ? { version: r.version } : {}),
      profile: r.profile,
      reportOnly: options.reportOnly?.includes(r.implementation) ?? false,
      totals,
      blockingFailures,
      errors: r.errors,
    };
  });
  const rows = catalogue.map((entry) => {
    const cells: Record<string, ReportCell> = {};
    for (const r of results) {
      const row = r.rows.get(entry.id);
      cells[r.implementation] = row
        ? { outcome: row.outcome, details: row.details }
        : { outcome: 'not-judged', details: [] };
    }
    return { ...entry, cells };
  });
  const clientRows = catalogue.filter(isClientRow);
  const automated = clientRows.filter((r) => r.client?.kind === 'automated').length;
  return {
    generatedAt: (options.now ?? new Date()).toISOString(),
    columns,
    rows,
    coverage: {
      clientRows: clientRows.length,
      automated,
      percent: Math.round((automated / clientRows.length) * 1000) / 10,
    },
  };
}

/** True when a column that is not report-only failed a blocking requirement. */
export function hasBlockingFailure(report: Report): boolean {
  return report.columns.some(
    (c) => !c.reportOnly && (c.blockingFailures.length > 0 || Object.keys(c.errors).length > 0),
  );
}

const MARK: Record<ReportCell['outcome'], string> = {
  pass: 'pass',
  fail: 'FAIL',
  skip: 'skip',
  na: 'n/a',
  'not-judged': '·',
};

function columnTitle(c: ReportColumn): string {
  return `${c.name}${c.version ? ` ${c.version}` : ''} (${c.profile}${c.reportOnly ? ', report only' : ''})`;
}

/** The Markdown table plus a list of failing details. */
export function renderMarkdown(report: Report): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const lines = [
    '# ATProto OAuth conformance report',
    '',
    `Generated ${report.generatedAt}. Client-profile coverage: ${report.coverage.automated}/${report.coverage.clientRows} client rows automated (${report.coverage.percent}%).`,
    '',
    '| implementation | pass | fail | skip | n/a | blocking failures |',
    '| --- | --- | --- | --- | --- | --- |',
    ...report.columns.map(
      (c) =>
        `| ${esc(columnTitle(c))} | ${c.totals.pass} | ${c.totals.fail} | ${c.totals.skip} | ${c.totals.na} | ${c.blockingFailures.join(', ') || 'none'} |`,
    ),
    '',
    `| id | level | summary | ${report.columns.map((c) => esc(c.name)).join(' | ')} |`,
    `| --- | --- | --- | ${report.columns.map(() => '---').join(' | ')} |`,
  ];
  for (const row of report.rows) {
    const level = `${row.level}${row.unverified ? ' (unverified)' : ''}`;
    lines.push(
      `| ${row.id} | ${level} | ${esc(row.summary)} | ${report.columns.map((c) => MARK[row.cells[c.name]?.outcome ?? 'not-judged']).join(' | ')} |`,
    );
  }
  lines.push(
    '',
    '`·` = not judged by this profile (unobservable client rows are listed in the catalogue).',
    '',
    '## Failures',
    '',
  );
  for (const c of report.columns) {
    const failing = report.rows.filter((r) => r.cells[c.name]?.outcome === 'fail');
    lines.push(`### ${columnTitle(c)}`, '');
    if (failing.length === 0 && Object.keys(c.errors).length === 0) lines.push('No failures.', '');
    for (const r of failing)
      lines.push(`- **${r.id}** (${r.level}): ${esc((r.cells[c.name]?.details ?? []).join(' / '))}`);
    for (const [id, e] of Object.entries(c.errors)) lines.push(`- scenario **${id}** crashed: ${esc(e)}`);
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

function html(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** A static, self-contained HTML page with the same table (details on hover and in a list). */
export function renderHtml(report: Report): string {
  const head = report.columns.map((c) => `<th>${html(columnTitle(c))}</th>`).join('');
  const body = report.rows
    .map((row) => {
      const cells = report.columns
        .map((c) => {
          const cell = row.cells[c.name] ?? { outcome: 'not-judged' as const, details: [] };
          return `<td class="${cell.outcome}" title="${html(cell.details.join('\n'))}">${MARK[cell.outcome]}</td>`;
        })
        .join('');
      return `<tr><td><code>${row.id}</code></td><td>${row.level}${row.unverified ? ' (unverified)' : ''}</td><td>${html(row.summary)}</td>${cells}</tr>`;
    })
    .join('\n');
  const failures = report.columns
    .map((c) => {
      const items = report.rows
        .filter((r) => r.cells[c.name]?.outcome === 'fail')
        .map((r) => `<li><code>${r.id}</code>: ${html((r.cells[c.name]?.details ?? []).join(' / '))}</li>`)
        .join('');
      return `<h3>${html(columnTitle(c))}</h3><ul>${items || '<li>No failures.</li>'}</ul>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ATProto OAuth conformance report</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25rem .5rem;vertical-align:top;font-size:.9rem}
.pass{background:#e6f4ea}.fail{background:#fde7e9;font-weight:bold}.skip{background:#fff4e5}.na,.not-judged{color:#888}</style></head>
<body><h1>ATProto OAuth conformance report</h1>
<p>Generated ${html(report.generatedAt)}. Client-profile coverage: ${report.coverage.automated}/${report.coverage.clientRows} client rows automated (${report.coverage.percent}%).</p>
<table><thead><tr><th>id</th><th>level</th><th>summary</th>${head}</tr></thead><tbody>
${body}
</tbody></table><h2>Failures</h2>${failures}</body></html>
`;
}

/** Writes report.json, report.md and report.html into `dir` (created if needed). */
export async function writeReports(dir: string, report: Report): Promise<string[]> {
  const files = [join(dir, 'report.json'), join(dir, 'report.md'), join(dir, 'report.html')];
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(files[0] as string, `${JSON.stringify(report, null, 2)}\n`);
    await writeFile(files[1] as string, renderMarkdown(report));
    await writeFile(files[2] as string, renderHtml(report));
  } catch (err) {
    throw new ConformanceError(
      'REPORT_WRITE_FAILED',
      `Could not write the report into ${dir}: ${(err as Error).message}`,
      { cause: err },
    );
  }
  return files;
}
