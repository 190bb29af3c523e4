/** Requirement keywords as the checklist uses them. */
export type Level = 'MUST' | 'MUST NOT' | 'SHOULD' | 'SHOULD NOT' | 'MAY';

/** Who a requirement binds: the client, the authorization server, the resource server (PDS). */
export type Side = 'C' | 'AS' | 'RS';

/** One row of the catalogue. */
export interface Requirement {
  id: string;
  level: Level;
  /** Extra words on the level, e.g. "treated as MUST for login". */
  levelNote?: string;
  /** The checklist could not confirm the wording: failures are reported but never fail a run. */
  unverified: boolean;
  sides: readonly Side[];
  summary: string;
  source: string;
}

/** How a client row is covered by the client profile. */
export type ClientCoverage = { kind: 'automated'; scenarios: string[] } | { kind: 'unobservable'; why: string };

/** A catalogue row with its coverage (client rows only carry `client`). */
export interface CatalogueEntry extends Requirement {
  client?: ClientCoverage;
  /** Server-profile check ids that judge this row. */
  serverChecks?: string[];
}
