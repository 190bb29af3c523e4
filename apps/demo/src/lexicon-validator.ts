import { DemoError } from './errors.js';

// Hand-written because @atproto/lexicon (0.7.x) requires Node >= 22 and zod 3; this validator covers
// exactly the subset of Lexicon that lexicons/app/relay/track.json uses and refuses any other
// construct when the lexicon is loaded, so a schema change can never be silently unchecked.

type StringDef = {
  type: 'string';
  format?: 'datetime';
  minLength?: number;
  maxLength?: number;
  minGraphemes?: number;
  maxGraphemes?: number;
  knownValues?: string[];
};
type IntegerDef = { type: 'integer'; minimum?: number; maximum?: number };
type BooleanDef = { type: 'boolean' };
type BlobDef = { type: 'blob'; accept?: string[]; maxSize?: number };
type FieldDef = StringDef | IntegerDef | BooleanDef | BlobDef;

/** A record lexicon reduced to what the validator checks. */
export interface RecordLexicon {
  readonly id: string;
  readonly required: readonly string[];
  readonly properties: Readonly<Record<string, FieldDef>>;
}

const FIELD_KEYS: Record<FieldDef['type'], readonly string[]> = {
  string: ['type', 'format', 'minLength', 'maxLength', 'minGraphemes', 'maxGraphemes', 'knownValues', 'description'],
  integer: ['type', 'minimum', 'maximum', 'description'],
  boolean: ['type', 'description'],
  blob: ['type', 'accept', 'maxSize', 'description'],
};

const NSID = /^[a-zA-Z]([a-zA-Z0-9-]{0,62})?(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,62})?)+$/;

function unsupported(where: string, what: string): never {
  throw new DemoError('LEXICON_UNSUPPORTED', `Lexicon ${where}: ${what} is not supported by the portal's validator.`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Reads a Lexicon document whose `main` def is a `record` of a flat object with string, integer,
 * boolean and blob fields. Anything else throws `LEXICON_UNSUPPORTED`.
 */
export function loadRecordLexicon(doc: unknown): RecordLexicon {
  if (!isObject(doc) || doc.lexicon !== 1) unsupported('document', 'anything but "lexicon": 1');
  const id = doc.id;
  if (typeof id !== 'string' || !NSID.test(id)) unsupported('document', `the id ${String(id)}`);
  const defs = doc.defs;
  if (!isObject(defs) || Object.keys(defs).length !== 1 || !isObject(defs.main)) {
    unsupported(id, 'a defs block other than a single "main"');
  }
  const main = defs.main;
  if (main.type !== 'record') unsupported(id, `a main def of type ${String(main.type)}`);
  const record = main.record;
  if (!isObject(record) || record.type !== 'object') unsupported(id, 'a record that is not an object');
  const props = record.properties;
  if (!isObject(props)) unsupported(id, 'an object without properties');
  const required = record.required ?? [];
  if (!Array.isArray(required) || !required.every((r) => typeof r === 'string' && r in props)) {
    unsupported(id, '"required" naming unknown properties');
  }
  for (const key of Object.keys(record)) {
    if (!['type', 'required', 'properties', 'description'].includes(key)) unsupported(id, `object key "${key}"`);
  }
  const properties: Record<string, FieldDef> = {};
  for (const [name, def] of Object.entries(props)) {
    if (!isObject(def) || typeof def.type !== 'string' || !(def.type in FIELD_KEYS)) {
      unsupported(`${id}#${name}`, `type ${isObject(def) ? String(def.type) : 'missing'}`);
    }
    const allowed = FIELD_KEYS[def.type as FieldDef['type']];
    for (const key of Object.keys(def)) {
      if (!allowed.includes(key)) unsupported(`${id}#${name}`, `"${key}" on a ${def.type}`);
    }
    if (def.type === 'string' && def.format !== undefined && def.format !== 'datetime') {
      unsupported(`${id}#${name}`, `string format "${String(def.format)}"`);
    }
    properties[name] = def as FieldDef;
  }
  return { id, required: required as string[], properties };
}

const segmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });
const encoder = new TextEncoder();

function graphemes(s: string): number {
  let n = 0;
  for (const _ of segmenter.segment(s)) n++;
  return n;
}

// Lexicon datetime: RFC 3339 with a mandatory time zone (Z or ±hh:mm), seconds required.
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function mimeMatches(pattern: string, mime: string): boolean {
  if (pattern === '*/*') return true;
  if (pattern.endsWith('/*')) return mime.toLowerCase().startsWith(pattern.slice(0, -1).toLowerCase());
  return pattern.toLowerCase() === mime.toLowerCase();
}

function checkField(name: string, def: FieldDef, value: unknown, problems: string[]): void {
  switch (def.type) {
    case 'string': {
      if (typeof value !== 'string') {
        problems.push(`${name} must be a string`);
        return;
      }
      const bytes = encoder.encode(value).length; // Lexicon lengths are UTF-8 bytes
      if (def.minLength !== undefined && bytes < def.minLength) problems.push(`${name} must not be empty`);
      if (def.maxLength !== undefined && bytes > def.maxLength) {
        problems.push(`${name} is too long (${bytes} bytes, at most ${def.maxLength})`);
      }
      if (def.minGraphemes !== undefined || def.maxGraphemes !== undefined) {
        const g = graphemes(value);
        if (def.minGraphemes !== undefined && g < def.minGraphemes) {
          problems.push(`${name} needs at least ${def.minGraphemes} characters`);
        }
        if (def.maxGraphemes !== undefined && g > def.maxGraphemes) {
          problems.push(`${name} is too long (${g} characters, at most ${def.maxGraphemes})`);
        }
      }
      if (def.format === 'datetime' && (!DATETIME.test(value) || Number.isNaN(Date.parse(value)))) {
        problems.push(`${name} must be an RFC 3339 date-time with a time zone`);
      }
      return;
    }
    case 'integer':
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
        problems.push(`${name} must be a whole number`);
        return;
      }
      if (def.minimum !== undefined && value < def.minimum) problems.push(`${name} must be at least ${def.minimum}`);
      if (def.maximum !== undefined && value > def.maximum) problems.push(`${name} must be at most ${def.maximum}`);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') problems.push(`${name} must be true or false`);
      return;
    case 'blob': {
      const ok =
        isObject(value) &&
        value.$type === 'blob' &&
        isObject(value.ref) &&
        typeof value.ref.$link === 'string' &&
        typeof value.mimeType === 'string' &&
        typeof value.size === 'number' &&
        Number.isSafeInteger(value.size) &&
        value.size >= 0;
      if (!ok) {
        problems.push(`${name} must be a blob reference ({ $type: 'blob', ref: { $link }, mimeType, size })`);
        return;
      }
      const blob = value as { mimeType: string; size: number };
      if (def.accept && !def.accept.some((p) => mimeMatches(p, blob.mimeType))) {
        problems.push(`${name} has type ${blob.mimeType}, expected ${def.accept.join(' or ')}`);
      }
      if (def.maxSize !== undefined && blob.size > def.maxSize) {
        problems.push(`${name} is ${blob.size} bytes, at most ${def.maxSize}`);
      }
      return;
    }
  }
}

/** Every way `record` breaks `lexicon` (empty when it is valid). `$type` must be the lexicon id. */
export function recordProblems(lexicon: RecordLexicon, record: unknown): string[] {
  if (!isObject(record)) return ['the record must be an object'];
  const problems: string[] = [];
  if (record.$type !== lexicon.id) problems.push(`$type must be ${lexicon.id}`);
  for (const name of lexicon.required) {
    if (record[name] === undefined) problems.push(`${name} is required`);
  }
  for (const [name, value] of Object.entries(record)) {
    if (name === '$type' || value === undefined) continue;
    const def = lexicon.properties[name];
    // Lexicon objects are open, but this app never writes fields its own lexicon lacks.
    if (!def) problems.push(`${name} is not a field of ${lexicon.id}`);
    else checkField(name, def, value, problems);
  }
  return problems;
}

/** Throws `RECORD_INVALID` (with the list in `details`) unless `record` matches `lexicon`. */
export function assertValidRecord(lexicon: RecordLexicon, record: unknown): void {
  const problems = recordProblems(lexicon, record);
  if (problems.length > 0) {
    throw new DemoError('RECORD_INVALID', `The ${lexicon.id} record is not valid: ${problems.join('; ')}.`, {
      details: problems,
    });
  }
}
