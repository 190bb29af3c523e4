import { describe, expect, it } from 'vitest';
import { freshAccount, relayClient, relayLogin, requirePds, sharedPds, TRACK } from './support/relay-client.js';

const { pds, skipReason } = sharedPds();

interface RecordOut {
  uri: string;
  cid: string;
  value: Record<string, unknown>;
}

async function json<T>(res: Response): Promise<T> {
  const text = await res.text();
  if (!res.ok) throw new Error(`HTTP ${res.status}: ${text}`);
  return JSON.parse(text) as T;
}

describe.skipIf(!pds)(
  `records and blobs through a Relay session on the reference PDS${skipReason ? ` (skipped: ${skipReason})` : ''}`,
  () => {
    it('DPOP-06: writes, reads and lists app.relay.track records with the granular scope', async () => {
      const ref = requirePds();
      const account = await freshAccount(ref);
      const { client } = relayClient(ref);
      const { session } = await relayLogin(client, account);

      const titles = ['Signal Fire', 'Low Tide'];
      const created: Array<{ uri: string; cid: string }> = [];
      for (const title of titles) {
        const res = await session.fetch('/xrpc/com.atproto.repo.createRecord', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            repo: session.did,
            collection: TRACK,
            record: { $type: TRACK, title, artist: 'The Relays', createdAt: new Date().toISOString() },
          }),
        });
        created.push(await json<{ uri: string; cid: string }>(res));
      }
      expect(created[0]?.uri).toMatch(new RegExp(`^at://${session.did}/${TRACK}/`));

      const rkey = created[0]?.uri.split('/').pop() as string;
      const read = await json<RecordOut>(
        await session.fetch(`/xrpc/com.atproto.repo.getRecord?repo=${session.did}&collection=${TRACK}&rkey=${rkey}`),
      );
      expect(read).toMatchObject({ uri: created[0]?.uri, cid: created[0]?.cid, value: { title: 'Signal Fire' } });

      const list = await json<{ records: RecordOut[] }>(
        await session.fetch(`/xrpc/com.atproto.repo.listRecords?repo=${session.did}&collection=${TRACK}`),
      );
      expect(list.records.map((r) => r.value.title).sort()).toEqual([...titles].sort());

      // Update in place (repo:app.relay.track grants create, update and delete).
      const put = await session.fetch('/xrpc/com.atproto.repo.putRecord', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          repo: session.did,
          collection: TRACK,
          rkey,
          record: {
            $type: TRACK,
            title: 'Signal Fire (live)',
            artist: 'The Relays',
            createdAt: new Date().toISOString(),
          },
        }),
      });
      expect(put.status).toBe(200);
      const del = await session.fetch('/xrpc/com.atproto.repo.deleteRecord', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ repo: session.did, collection: TRACK, rkey: created[1]?.uri.split('/').pop() }),
      });
      expect(del.status).toBe(200);
      const after = await json<{ records: RecordOut[] }>(
        await session.fetch(`/xrpc/com.atproto.repo.listRecords?repo=${session.did}&collection=${TRACK}`),
      );
      expect(after.records.map((r) => r.value.title)).toEqual(['Signal Fire (live)']);
    });

    it('uploads a blob (blob:*/*) and references it from a record; the PDS serves the same bytes', async () => {
      const ref = requirePds();
      const account = await freshAccount(ref);
      const { client } = relayClient(ref);
      const { session } = await relayLogin(client, account);

      const bytes = new Uint8Array(4096).map((_, i) => (i * 31 + 7) % 256);
      const upload = await json<{ blob: { $type: 'blob'; ref: { $link: string }; mimeType: string; size: number } }>(
        await session.fetch('/xrpc/com.atproto.repo.uploadBlob', {
          method: 'POST',
          headers: { 'content-type': 'audio/mpeg' },
          body: bytes,
        }),
      );
      expect(upload.blob).toMatchObject({ $type: 'blob', mimeType: 'audio/mpeg', size: bytes.length });

      const created = await json<{ uri: string }>(
        await session.fetch('/xrpc/com.atproto.repo.createRecord', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            repo: session.did,
            collection: TRACK,
            record: { $type: TRACK, title: 'With audio', audio: upload.blob, createdAt: new Date().toISOString() },
          }),
        }),
      );
      const rkey = created.uri.split('/').pop() as string;
      const read = await json<RecordOut>(
        await session.fetch(`/xrpc/com.atproto.repo.getRecord?repo=${session.did}&collection=${TRACK}&rkey=${rkey}`),
      );
      expect(read.value.audio).toMatchObject({ ref: { $link: upload.blob.ref.$link }, size: bytes.length });

      // Once referenced, the blob is public on the PDS.
      const served = await fetch(
        `${ref.pdsUrl}/xrpc/com.atproto.sync.getBlob?did=${session.did}&cid=${upload.blob.ref.$link}`,
      );
      expect(served.status).toBe(200);
      expect(new Uint8Array(await served.arrayBuffer())).toEqual(bytes);
    });

    it('PERM-REPO / TOKEN-SCOPE-02: with repo:app.relay.track only, app.bsky.feed.post is refused (403) and session.scope says why', async () => {
      const ref = requirePds();
      const account = await freshAccount(ref);
      const narrow = 'atproto repo:app.relay.track';
      const { client } = relayClient(ref, { scope: narrow });
      const { session } = await relayLogin(client, account);
      expect(session.scope.toString()).toBe(narrow);

      const post = await session.fetch('/xrpc/com.atproto.repo.createRecord', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          repo: session.did,
          collection: 'app.bsky.feed.post',
          record: { $type: 'app.bsky.feed.post', text: 'hello', createdAt: new Date().toISOString() },
        }),
      });
      expect(post.status).toBe(403);
      const body = (await post.json()) as { error: string; message: string };
      expect(body.error).toBe('ScopeMissingError');
      expect(body.message).toContain('repo:app.bsky.feed.post?action=create');

      // The client predicts the refusal before sending anything, and names the scope to ask for.
      const why = session.scope.explain({ repo: 'app.bsky.feed.post', action: 'create' }, { requested: narrow });
      expect(why.allowed).toBe(false);
      expect(why.needed).toBe('repo:app.bsky.feed.post?action=create');
      expect(why.message).toContain('not granted');
      expect(session.scope.allows({ repo: TRACK, action: 'create' })).toBe(true);

      // The same scope refuses blob uploads: the PDS and the client agree.
      const blob = await session.fetch('/xrpc/com.atproto.repo.uploadBlob', {
        method: 'POST',
        headers: { 'content-type': 'audio/mpeg' },
        body: new Uint8Array([1, 2, 3]),
      });
      expect(blob.status).toBe(403);
      await blob.body?.cancel();
      expect(session.scope.allows({ blob: 'audio/mpeg' })).toBe(false);

      // …while the granted collection still works.
      const track = await session.fetch('/xrpc/com.atproto.repo.createRecord', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          repo: session.did,
          collection: TRACK,
          record: { $type: TRACK, title: 'Allowed', createdAt: new Date().toISOString() },
        }),
      });
      expect(track.status).toBe(200);
      await track.body?.cancel();
    });
  },
);
