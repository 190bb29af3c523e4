/**
 * One broken rule found in a metadata document. `id` is the requirement ID from the spec
 * checklist (e.g. `AS-META-11`), so reports and errors point at the clause that failed.
 */
export interface Violation {
  id: string;
  level: 'MUST' | 'SHOULD';
  /** Where in the document, e.g. `redirect_uris[1]`. */
  path?: string;
  message: string;
}

/** A one-line-per-violation rendering for error messages and the doctor. */
export function formatViolations(violations: readonly Violation[]): string {
  return violations.map((v) => `${v.id} (${v.level})${v.path ? ` ${v.path}` : ''}: ${v.message}`).join('; ');
}
