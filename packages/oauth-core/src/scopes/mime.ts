// RFC 6838 restricted-name: what a MIME type or subtype may be spelled with.
const NAME = '[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}';
const ACCEPT = new RegExp(`^(?:\\*/\\*|${NAME}/\\*|${NAME}/${NAME})$`);
const MIME = new RegExp(`^${NAME}/${NAME}$`);

/** PERM-BLOB-01: a Lexicon `blob.accept` value — `type/subtype`, `type/*` or `*\/*`. */
export function isValidAccept(value: string): boolean {
  return typeof value === 'string' && ACCEPT.test(value);
}

/** A concrete MIME type to match (parameters after `;` are dropped), lower-cased; `undefined` if malformed. */
export function normalizeMime(value: string): string | undefined {
  if (typeof value !== 'string') return undefined;
  const semi = value.indexOf(';');
  const bare = (semi === -1 ? value : value.slice(0, semi)).trim();
  return MIME.test(bare) ? bare.toLowerCase() : undefined;
}

/** Whether one accept pattern covers a normalised MIME type. MIME names are case-insensitive (RFC 6838). */
export function acceptMatches(accept: string, mime: string): boolean {
  const a = accept.toLowerCase();
  if (a === '*/*') return true;
  if (a.endsWith('/*')) return mime.startsWith(a.slice(0, -1));
  return a === mime;
}
