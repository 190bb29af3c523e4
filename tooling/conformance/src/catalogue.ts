import { REQUIREMENT_ROWS } from './catalogue-data.js';
import type { CatalogueEntry, Requirement } from './catalogue-types.js';

/** Every requirement of the checklist, in checklist order. */
export const CATALOGUE: readonly Requirement[] = REQUIREMENT_ROWS.map(
  ([id, level, sides, summary, source, unverified, note]) => ({
    id,
    level,
    ...(note ? { levelNote: note } : {}),
    unverified: unverified === true,
    sides,
    summary,
    source,
  }),
);

const BY_ID = new Map(CATALOGUE.map((r) => [r.id, r]));

/** The catalogue row for an id, or undefined. */
export function requirement(id: string): Requirement | undefined {
  return BY_ID.get(id);
}

/** A client row binds the client (alone or together with a server). */
export function isClientRow(r: Requirement): boolean {
  return r.sides.includes('C');
}

/** A server row binds the authorization server or the PDS. */
export function isServerRow(r: Requirement): boolean {
  return r.sides.includes('AS') || r.sides.includes('RS');
}

/** A failure of this row fails the run: a MUST / MUST NOT the checklist could confirm. */
export function isBlocking(r: Requirement): boolean {
  return (r.level === 'MUST' || r.level === 'MUST NOT') && !r.unverified;
}

/**
 * Client rows the client profile cannot judge from outside the client, and why. Every other
 * client row is judged by at least one scenario (a test keeps this true).
 */
export const UNOBSERVABLE: Readonly<Record<string, string>> = {
  'ID-HANDLE-07':
    'The harness must run clients in dev mode to reach its loopback servers over http, so production-only https behaviour cannot be seen.',
  'ID-HANDLE-13':
    'Cache lifetimes need control of the client clock; the driver protocol deliberately has no clock switch.',
  'ID-HANDLE-14':
    'Showing a handle as unverified and re-checking it later are user-interface behaviours with no wire trace.',
  'CALLBACK-03':
    'Browser redirects after the callback belong to the application; the protocol returns data, never a redirect.',
  'LIFE-04': 'Keeping tokens on one device is a deployment property, not something a single client process reveals.',
  'META-RS-09':
    'The mock network keeps the authorization server and the PDS on separate origins, so a PDS that is its own authorization server cannot be staged.',
  'PERM-RPC-02':
    'The suite hands clients complete scope strings, so how a client builder percent-encodes "#" is never exercised.',
};

/** Joins the catalogue with scenario coverage (`judges` lists) and server checks. */
export function catalogueWithCoverage(
  scenarios: readonly { id: string; judges: readonly string[] }[],
  serverChecks: readonly { id: string; judges: readonly string[] }[] = [],
): CatalogueEntry[] {
  return CATALOGUE.map((r) => {
    const entry: CatalogueEntry = { ...r };
    if (isClientRow(r)) {
      const covering = scenarios.filter((s) => s.judges.includes(r.id)).map((s) => s.id);
      const why = UNOBSERVABLE[r.id];
      entry.client =
        covering.length > 0
          ? { kind: 'automated', scenarios: covering }
          : { kind: 'unobservable', why: why ?? 'not yet covered by a scenario' };
    }
    const checks = serverChecks.filter((c) => c.judges.includes(r.id)).map((c) => c.id);
    if (checks.length > 0) entry.serverChecks = checks;
    return entry;
  });
}
