/** One challenge of a `WWW-Authenticate` header. */
export interface AuthChallenge {
  /** The scheme as sent (compare case-insensitively, e.g. `DPoP`, `Bearer`). */
  scheme: string;
  /** Parameters, names lower-cased, quoted-string values unescaped. */
  params: Record<string, string>;
  /** The token68 form, when the challenge used it instead of parameters. */
  token68?: string;
}

const MAX_HEADER = 8192;
const TOKEN = /[!#$%&'*+\-.^_`|~0-9A-Za-z]+/y;
const TOKEN68 = /[A-Za-z0-9\-._~+/]+=*/y;
const WS = /[ \t]*/y;

/**
 * Parses a `WWW-Authenticate` value into its challenges (RFC 9110 §11.6.1), so a `Bearer` challenge
 * and a `DPoP` challenge in one header are told apart (NONCE-10). Malformed input yields the
 * challenges parsed before the error; values over 8 KiB are ignored (untrusted input).
 * Hand-written: neither jose nor oauth4webapi exports a challenge parser.
 */
export function parseWwwAuthenticate(header: string | null | undefined): AuthChallenge[] {
  const out: AuthChallenge[] = [];
  if (typeof header !== 'string' || header.length > MAX_HEADER) return out;
  let i = 0;
  const match = (re: RegExp): string | undefined => {
    re.lastIndex = i;
    const m = re.exec(header);
    if (!m || m.index !== i) return undefined;
    i += m[0].length;
    return m[0];
  };
  const skipWs = () => match(WS);
  const skipCommas = () => {
    for (;;) {
      skipWs();
      if (header[i] !== ',') return;
      i++;
    }
  };
  const quoted = (): string | undefined => {
    if (header[i] !== '"') return undefined;
    let value = '';
    for (i++; i < header.length; i++) {
      const c = header[i];
      if (c === '\\') value += header[++i] ?? '';
      else if (c === '"') {
        i++;
        return value;
      } else value += c;
    }
    return undefined; // unterminated
  };
  // is the text at i `token BWS "="` (a parameter) rather than a new scheme?
  const atParam = () => {
    const save = i;
    let ok = false;
    if (match(TOKEN) !== undefined) {
      skipWs();
      ok = header[i] === '=' && header[i + 1] !== '=';
    }
    i = save;
    return ok;
  };

  skipCommas();
  while (i < header.length) {
    const scheme = match(TOKEN);
    if (!scheme) return out;
    const challenge: AuthChallenge = { scheme, params: {} };
    out.push(challenge);
    if (!match(/[ \t]+/y)) {
      skipCommas();
      continue;
    }
    if (!atParam()) {
      const save = i;
      const t68 = match(TOKEN68);
      skipWs();
      if (t68 && (i === header.length || header[i] === ',')) {
        challenge.token68 = t68;
        skipCommas();
        continue;
      }
      i = save;
    }
    // auth-params until the next scheme
    for (;;) {
      skipWs();
      if (!atParam()) break;
      const name = (match(TOKEN) as string).toLowerCase();
      skipWs();
      i++; // '='
      skipWs();
      const value = header[i] === '"' ? quoted() : match(TOKEN);
      if (value === undefined) return out;
      if (!(name in challenge.params)) challenge.params[name] = value;
      skipWs();
      if (header[i] !== ',') break;
      skipCommas();
    }
    skipCommas();
  }
  return out;
}

/** The `error` parameter of the `DPoP` challenge in a `WWW-Authenticate` value, if any (NONCE-10). */
export function dpopChallengeError(header: string | null | undefined): string | undefined {
  return parseWwwAuthenticate(header).find((c) => c.scheme.toLowerCase() === 'dpop')?.params.error;
}
