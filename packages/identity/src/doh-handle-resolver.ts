import * as z from 'zod/mini';
import { createDnsHandleResolver, type TxtLookup } from './dns-handle-resolver.js';
import { IdentityError } from './errors.js';
import type { HandleResolver } from './handle-resolver.js';
import { readJson } from './read-body.js';
import type { FetchLike } from './safe-fetch.js';

/** Options for the DNS-over-HTTPS resolvers. */
export interface DohOptions {
  /** A DoH JSON endpoint, e.g. `https://cloudflare-dns.com/dns-query` or `https://dns.google/resolve`. */
  readonly url: string;
  /** The SSRF-safe fetch. */
  readonly fetch: FetchLike;
}

const DohSchema = z.object({
  Status: z.number(),
  Answer: z.optional(z.array(z.object({ type: z.number(), data: z.string() }))),
});
const TXT = 16;
const NXDOMAIN = 3;

/**
 * A `TxtLookup` over DNS-over-HTTPS (the JSON API, `application/dns-json`), for browsers that have
 * no DNS. NXDOMAIN → `[]`; other non-zero statuses reject.
 */
export function createDohTxtLookup(options: DohOptions): TxtLookup {
  return async (name) => {
    const url = new URL(options.url);
    url.searchParams.set('name', name);
    url.searchParams.set('type', 'TXT');
    const response = await options.fetch(url, { headers: { accept: 'application/dns-json' } });
    if (response.status !== 200) {
      await response.body?.cancel().catch(() => undefined);
      throw new IdentityError('IDENTITY_DNS_FAILED', `The DoH server answered HTTP ${response.status}.`);
    }
    const json = await readJson(response, {
      maxBytes: 64 * 1024,
      contentTypes: ['application/dns-json', 'application/json'],
    });
    const parsed = DohSchema.safeParse(json);
    if (!parsed.success) throw new IdentityError('FETCH_BAD_RESPONSE', 'The DoH answer is not DNS JSON.');
    if (parsed.data.Status === NXDOMAIN) return [];
    if (parsed.data.Status !== 0) throw new IdentityError('IDENTITY_DNS_FAILED', `DoH status ${parsed.data.Status}.`);
    return (parsed.data.Answer ?? []).filter((a) => a.type === TXT).map((a) => parseTxtData(a.data));
  };
}

/** The DNS handle method over DoH: `createDnsHandleResolver({ txt: createDohTxtLookup(options) })`. */
export function createDohHandleResolver(options: DohOptions): HandleResolver {
  return createDnsHandleResolver({ txt: createDohTxtLookup(options) });
}

/** DoH JSON gives TXT data as presentation text: one or more quoted strings (`"a" "b"`), or bare. */
function parseTxtData(data: string): string[] {
  if (!data.startsWith('"')) return [data];
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"/g;
  for (const m of data.matchAll(re)) {
    out.push(
      (m[1] as string).replace(/\\(\d{3}|.)/g, (_, e: string) => (e.length === 3 ? String.fromCharCode(Number(e)) : e)),
    );
  }
  return out;
}
