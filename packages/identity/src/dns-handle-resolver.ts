import { abortable } from './abortable.js';
import { IdentityError } from './errors.js';
import type { HandleResolver } from './handle-resolver.js';

/**
 * Looks up the TXT records of a DNS name: one `string[]` of character-strings per record (the
 * shape of node:dns `resolveTxt`). No records or no such name → `[]`.
 */
export type TxtLookup = (name: string) => Promise<string[][]>;

/** Options for `createDnsHandleResolver`. */
export interface DnsHandleResolverOptions {
  /** The TXT lookup: `createNodeTxtLookup()` on Node, `createDohTxtLookup()` in browsers, or your own. */
  readonly txt: TxtLookup;
}

/**
 * The DNS method (ID-HANDLE-04): TXT records at `_atproto.<handle>`; values not starting with
 * `did=` are skipped; several different DIDs fail with `IDENTITY_CONFLICT` (ID-HANDLE-05). A
 * failing lookup rejects with `IDENTITY_DNS_FAILED`.
 */
export function createDnsHandleResolver(options: DnsHandleResolverOptions): HandleResolver {
  return {
    async resolve(handle, opts) {
      let records: string[][];
      try {
        records = await abortable(options.txt(`_atproto.${handle}`), opts?.signal);
      } catch (cause) {
        if (cause instanceof IdentityError) throw cause;
        if (opts?.signal?.aborted) throw cause;
        throw new IdentityError('IDENTITY_DNS_FAILED', `The DNS lookup of _atproto.${handle} failed.`, { cause });
      }
      // ID-HANDLE-04: a TXT record's character-strings form one value; only `did=` values count.
      const dids = new Set(
        records
          .map((chunks) => chunks.join(''))
          .filter((v) => v.startsWith('did='))
          .map((v) => v.slice(4)),
      );
      // ID-HANDLE-05: different DIDs in DNS are an error, not a choice.
      if (dids.size > 1) {
        throw new IdentityError(
          'IDENTITY_CONFLICT',
          `_atproto.${handle} has ${dids.size} different did= TXT records; it must have one.`,
        );
      }
      return dids.values().next().value ?? null;
    },
  };
}
