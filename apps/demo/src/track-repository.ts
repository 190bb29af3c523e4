import type { OAuthSession } from '@relay/oauth-core';
import * as z from 'zod';
import { DemoError } from './errors.js';
import { recordProblems } from './lexicon-validator.js';
import { TRACK_COLLECTION, trackLexicon } from './track-lexicon.js';

/** `fetch` as the safe fetches of `@relay/identity` implement it. */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** A blob reference as the PDS returns it from `uploadBlob` and stores it in records. */
export interface BlobRef {
  $type: 'blob';
  ref: { $link: string };
  mimeType: string;
  size: number;
}

/** An `app.relay.track` record as written to the repository. */
export interface TrackRecord {
  $type: 'app.relay.track';
  title: string;
  artist: string;
  description?: string;
  genre?: string;
  audio: BlobRef;
  duration: number;
  createdAt: string;
}

/** A track read back from the repository. */
export interface Track {
  rkey: string;
  uri: string;
  cid: string;
  record: TrackRecord;
}

const blobRefSchema = z.object({
  $type: z.literal('blob'),
  ref: z.object({ $link: z.string().min(1).max(200) }),
  mimeType: z.string().min(1).max(200),
  size: z.number().int().nonnegative(),
});
const uploadBlobSchema = z.object({ blob: blobRefSchema });
const writeSchema = z.object({ uri: z.string().startsWith('at://'), cid: z.string().min(1) });
const recordEntrySchema = z.object({ uri: z.string().startsWith('at://'), cid: z.string(), value: z.unknown() });
const listRecordsSchema = z.object({ records: z.array(z.unknown()).max(1000), cursor: z.string().optional() });
const xrpcErrorSchema = z.object({ error: z.string().optional(), message: z.string().optional() });

// Record keys (TIDs and others): the syntax the atproto repo spec allows.
const RKEY = /^[A-Za-z0-9._:~-]{1,512}$/;

export interface TrackRepositoryOptions {
  /** The signed-in artist's OAuth session: writes go through it (DPoP-bound). */
  session: OAuthSession;
  /** The safe fetch for public JSON reads (listRecords, getRecord) from the artist's PDS. */
  readFetch: FetchLike;
  /** The safe fetch for audio blobs: a larger size cap and a longer timeout than `readFetch`. */
  blobFetch: FetchLike;
}

function isRkey(rkey: string): boolean {
  return RKEY.test(rkey) && rkey !== '.' && rkey !== '..';
}

/**
 * The artist's `app.relay.track` records on their own PDS: list, publish (uploadBlob +
 * createRecord), delete, and stream a track's audio (`com.atproto.sync.getBlob`). Every PDS
 * answer is validated; unreachable or garbled answers become `PDS_UNREACHABLE`.
 */
export class TrackRepository {
  readonly #session: OAuthSession;
  readonly #readFetch: FetchLike;
  readonly #blobFetch: FetchLike;

  constructor(options: TrackRepositoryOptions) {
    this.#session = options.session;
    this.#readFetch = options.readFetch;
    this.#blobFetch = options.blobFetch;
  }

  get did(): string {
    return this.#session.did;
  }

  #xrpc(nsid: string, params: Record<string, string>): URL {
    const url = new URL(`/xrpc/${nsid}`, this.#session.serverUrl);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    return url;
  }

  async #call(what: string, send: () => Promise<Response>): Promise<Response> {
    try {
      return await send();
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      // Session trouble (expired, revoked, retired key) is the caller's to handle: sign in again.
      if (typeof code === 'string' && code.startsWith('SESSION_')) throw err;
      if (code === 'KEY_RETIRED') throw err;
      throw new DemoError(
        'PDS_UNREACHABLE',
        `Your PDS (${new URL(this.#session.serverUrl).host}) could not be reached to ${what}. Try again in a moment.`,
        { cause: err },
      );
    }
  }

  async #json<T>(what: string, res: Response, schema: z.ZodType<T>): Promise<T> {
    let body: unknown;
    try {
      body = await res.json();
    } catch (cause) {
      throw new DemoError('PDS_UNREACHABLE', `Your PDS answered something that is not JSON when asked to ${what}.`, {
        cause,
      });
    }
    if (!res.ok) {
      const err = xrpcErrorSchema.safeParse(body);
      const error = err.success ? err.data.error : undefined;
      const message = err.success ? err.data.message : undefined;
      throw new DemoError(
        'PDS_REFUSED',
        `Your PDS refused to ${what}: ${[error, message].filter(Boolean).join(': ') || `HTTP ${res.status}`}.`,
        { details: { status: res.status, error } },
      );
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      throw new DemoError('PDS_UNREACHABLE', `Your PDS answered an unexpected document when asked to ${what}.`, {
        details: parsed.error.issues.slice(0, 5),
      });
    }
    return parsed.data;
  }

  /** The artist's tracks, newest first (records that do not match the lexicon are left out). */
  async list(limit = 100): Promise<{ tracks: Track[]; skipped: number }> {
    const url = this.#xrpc('com.atproto.repo.listRecords', {
      repo: this.did,
      collection: TRACK_COLLECTION,
      limit: String(limit),
    });
    const res = await this.#call('list your tracks', () => this.#readFetch(url));
    const body = await this.#json('list your tracks', res, listRecordsSchema);
    const tracks: Track[] = [];
    let skipped = 0;
    for (const raw of body.records) {
      const entry = recordEntrySchema.safeParse(raw);
      const rkey = entry.success ? (entry.data.uri.split('/').pop() ?? '') : '';
      if (!entry.success || !isRkey(rkey) || recordProblems(trackLexicon, entry.data.value).length > 0) {
        skipped++;
        continue;
      }
      tracks.push({ rkey, uri: entry.data.uri, cid: entry.data.cid, record: entry.data.value as TrackRecord });
    }
    return { tracks, skipped };
  }

  /** One track of the artist's; `TRACK_NOT_FOUND` if it is not there or not a valid track. */
  async get(rkey: string): Promise<Track> {
    if (!isRkey(rkey)) throw new DemoError('TRACK_NOT_FOUND', 'There is no such track.');
    const url = this.#xrpc('com.atproto.repo.getRecord', { repo: this.did, collection: TRACK_COLLECTION, rkey });
    const res = await this.#call('read the track', () => this.#readFetch(url));
    if (res.status === 400 || res.status === 404) {
      await res.body?.cancel();
      throw new DemoError('TRACK_NOT_FOUND', 'That track is not in your repository (it may have been deleted).');
    }
    const entry = await this.#json('read the track', res, recordEntrySchema);
    if (recordProblems(trackLexicon, entry.value).length > 0) {
      throw new DemoError('TRACK_NOT_FOUND', 'That record is not a valid app.relay.track.');
    }
    return { rkey, uri: entry.uri, cid: entry.cid, record: entry.value as TrackRecord };
  }

  /** `com.atproto.repo.uploadBlob`: the PDS keeps the bytes until a record references them. */
  async uploadAudio(bytes: Uint8Array<ArrayBuffer>, mimeType: string): Promise<BlobRef> {
    const res = await this.#call('upload the audio', () =>
      this.#session.fetch('/xrpc/com.atproto.repo.uploadBlob', {
        method: 'POST',
        headers: { 'content-type': mimeType },
        body: bytes,
      }),
    );
    return (await this.#json('upload the audio', res, uploadBlobSchema)).blob as BlobRef;
  }

  /** `com.atproto.repo.createRecord` of a record already validated against the lexicon. */
  async create(record: TrackRecord): Promise<{ uri: string; cid: string }> {
    const res = await this.#call('publish the track', () =>
      this.#session.fetch('/xrpc/com.atproto.repo.createRecord', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ repo: this.did, collection: TRACK_COLLECTION, record, validate: false }),
      }),
    );
    return this.#json('publish the track', res, writeSchema);
  }

  /** `com.atproto.repo.deleteRecord`. */
  async delete(rkey: string): Promise<void> {
    if (!isRkey(rkey)) throw new DemoError('TRACK_NOT_FOUND', 'There is no such track.');
    const res = await this.#call('delete the track', () =>
      this.#session.fetch('/xrpc/com.atproto.repo.deleteRecord', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ repo: this.did, collection: TRACK_COLLECTION, rkey }),
      }),
    );
    await this.#json('delete the track', res, z.unknown());
  }

  /**
   * The audio of one of the artist's tracks, from `com.atproto.sync.getBlob` (a `Range` header is
   * passed through so players can seek). The response body streams under the blob fetch's cap.
   */
  async audio(rkey: string, range?: string): Promise<{ track: Track; response: Response }> {
    const track = await this.get(rkey);
    const url = this.#xrpc('com.atproto.sync.getBlob', { did: this.did, cid: track.record.audio.ref.$link });
    const headers: Record<string, string> = {};
    if (range && /^bytes=\d*-\d*$/.test(range)) headers.range = range;
    const response = await this.#call('fetch the audio', () => this.#blobFetch(url, { headers }));
    if (!response.ok) {
      await response.body?.cancel();
      throw new DemoError('PDS_REFUSED', `Your PDS did not return the audio (HTTP ${response.status}).`, {
        details: { status: response.status },
      });
    }
    return { track, response };
  }
}
