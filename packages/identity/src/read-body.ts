import { IdentityError } from './errors.js';

/** Options for reading an untrusted response body. */
export interface ReadBodyOptions {
  /** Refuse bodies larger than this many bytes (`FETCH_TOO_LARGE`). Default: the safe fetch's cap only. */
  readonly maxBytes?: number;
}

/** Options for `readJson`. */
export interface ReadJsonOptions extends ReadBodyOptions {
  /** Accepted media types (parameters such as `charset` are ignored). Default `['application/json']`. */
  readonly contentTypes?: readonly string[];
}

/**
 * Reads a response body into bytes, stopping as soon as it passes `maxBytes` (the stream is
 * cancelled, so the rest is never downloaded). Declared `Content-Length` over the cap fails at once.
 */
export async function readBytes(response: Response, options: ReadBodyOptions = {}): Promise<Uint8Array> {
  const max = options.maxBytes ?? Number.POSITIVE_INFINITY;
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > max) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge(max);
  }
  if (!response.body) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(max);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}

/** `readBytes`, decoded as UTF-8 (invalid sequences fail with `FETCH_BAD_RESPONSE`). */
export async function readText(response: Response, options: ReadBodyOptions = {}): Promise<string> {
  const bytes = await readBytes(response, options);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (cause) {
    throw new IdentityError('FETCH_BAD_RESPONSE', 'The response body is not valid UTF-8.', { cause });
  }
}

/**
 * JSON helper: checks the media type (`FETCH_BAD_RESPONSE` otherwise — an HTML error page is not
 * JSON), reads the body under the cap, parses it. Returns `unknown`: validate it with a schema.
 */
export async function readJson(response: Response, options: ReadJsonOptions = {}): Promise<unknown> {
  const accepted = options.contentTypes ?? ['application/json'];
  const type = mediaType(response.headers.get('content-type'));
  if (!accepted.includes(type)) {
    await response.body?.cancel().catch(() => undefined);
    throw new IdentityError(
      'FETCH_BAD_RESPONSE',
      `Expected ${accepted.join(' or ')} but got "${type || 'no content-type'}" from ${response.url || 'the server'}.`,
    );
  }
  const text = await readText(response, options);
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new IdentityError('FETCH_BAD_RESPONSE', 'The response body is not valid JSON.', { cause });
  }
}

/** The lower-cased media type of a Content-Type header, without parameters. */
export function mediaType(header: string | null): string {
  return (header ?? '').split(';', 1)[0]?.trim().toLowerCase() ?? '';
}

function tooLarge(max: number): IdentityError {
  return new IdentityError('FETCH_TOO_LARGE', `The response body is larger than ${max} bytes.`);
}
