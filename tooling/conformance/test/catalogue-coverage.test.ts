import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CATALOGUE, catalogueWithCoverage, isClientRow, UNOBSERVABLE } from '../src/catalogue.js';
import { CLIENT_SCENARIOS } from '../src/scenarios/index.js';
import { SERVER_CHECKS } from '../src/server/run-server-profile.js';

const SPEC = new URL('../../../../shared/spec/requirements.md', import.meta.url);

describe('catalogue', () => {
  it('has one row per requirement id of the checklist, same ids, same order, no duplicates', () => {
    const ids = CATALOGUE.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    let text: string;
    try {
      text = readFileSync(SPEC, 'utf8');
    } catch {
      return; // the shared checklist lives outside the repository; only checked where it exists
    }
    const specIds = [...text.matchAll(/^\| ([A-Z]+(?:-[A-Z0-9]+)+) \|/gm)].map((m) => m[1]);
    expect(ids).toEqual(specIds);
  });

  it('every scenario and server check judges only catalogue ids', () => {
    const known = new Set(CATALOGUE.map((r) => r.id));
    for (const s of [...CLIENT_SCENARIOS, ...SERVER_CHECKS]) {
      for (const id of s.judges) expect(known.has(id), `${s.id} judges unknown ${id}`).toBe(true);
    }
  });

  it('every client row is automated or marked unobservable with a reason; at least 90% are automated', () => {
    const rows = catalogueWithCoverage(CLIENT_SCENARIOS, SERVER_CHECKS).filter(isClientRow);
    const uncovered = rows.filter((r) => r.client?.kind === 'unobservable' && !UNOBSERVABLE[r.id]).map((r) => r.id);
    expect(uncovered).toEqual([]);
    const automated = rows.filter((r) => r.client?.kind === 'automated').length;
    expect(automated / rows.length).toBeGreaterThanOrEqual(0.9);
  });

  it('rows marked unobservable are not also automated (the list stays honest)', () => {
    const judged = new Set(CLIENT_SCENARIOS.flatMap((s) => s.judges));
    expect(Object.keys(UNOBSERVABLE).filter((id) => judged.has(id))).toEqual([]);
  });
});
