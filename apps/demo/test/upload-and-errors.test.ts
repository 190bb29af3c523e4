import { once } from 'node:events';
import net from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HttpBrowser } from './support/http-browser.js';
import { type PortalFixture, startPortal, tracksOnPds } from './support/portal.js';
import { generateWav } from './support/wav.js';

// The upload form's checks and the portal's human error messages, on testnet (server-side).

const MAX = 64 * 1024;
let portal: PortalFixture;
let browser: HttpBrowser;
let token: string;

beforeAll(async () => {
  portal = await startPortal('testnet', { MAX_UPLOAD_BYTES: String(MAX) });
  browser = new HttpBrowser(portal.demo.url);
  await browser.login(portal.artist.handle);
  token = await browser.csrf('/dashboard');
});
afterAll(async () => {
  await portal?.stop();
});
beforeEach(() => portal.network.testnet?.resetFaults());

function upload(file: File, fields: Record<string, string> = {}) {
  const form = new FormData();
  form.set('_csrf', token);
  form.set('title', 'Night Drive');
  form.set('artist', 'The Loopbacks');
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  form.set('audio', file);
  return browser.request('/tracks', { form });
}

const alert = (html: string) => /role="alert" id="message">([^<]*)</.exec(html)?.[1] ?? '';
const blobs = () => portal.network.testnet?.pds.blobs.size ?? -1;

describe('uploads', () => {
  it('a file that is not audio (whatever its name and type say) → 415 "not an audio file", nothing uploaded', async () => {
    const before = blobs();
    const res = await upload(new File(['<html>definitely not music</html>'], 'song.mp3', { type: 'audio/mpeg' }));
    expect(res.status).toBe(415);
    expect(alert(await res.text())).toBe(
      '“song.mp3” is not an audio file we can publish. Upload WAV, MP3, Ogg, FLAC, M4A or WebM.',
    );
    expect(blobs()).toBe(before);
  });

  it('a file over MAX_UPLOAD_BYTES → 413 naming its size and the limit', async () => {
    const res = await upload(new File([generateWav({ seconds: 12 })], 'long.wav', { type: 'audio/wav' }));
    expect(res.status).toBe(413);
    expect(alert(await res.text())).toBe('That file is too large (94 KB): the limit is 64 KB.');
  });

  it('a body far over the limit is read off and refused with 413, not a reset connection', async () => {
    const res = await upload(new File([new Uint8Array(2 * 1024 * 1024)], 'huge.wav', { type: 'audio/wav' }));
    expect(res.status).toBe(413);
    expect(alert(await res.text())).toMatch(
      /^That file is too large \(2\.\d MB with the form\): the limit is 64 KB\.$/,
    );
  });

  it('a record the lexicon refuses (title over 100 characters) → 400, and no blob is uploaded', async () => {
    const before = blobs();
    const res = await upload(new File([generateWav()], 'a.wav'), { title: 'x'.repeat(101) });
    expect(res.status).toBe(400);
    expect(alert(await res.text())).toBe('Please fix the form: title is too long (101 characters, at most 100).');
    expect(blobs()).toBe(before);
  });

  it('MP3 needs a duration (only WAV headers are read); m:ss is accepted', async () => {
    const mp3 = new File([Uint8Array.from([0x49, 0x44, 0x33, 4, 0, 0, 0, 0, 0, 0, 0xff, 0xfb, 0x90])], 's.mp3');
    const missing = await upload(mp3);
    expect(missing.status).toBe(400);
    expect(alert(await missing.text())).toBe('Enter the duration (m:ss).');
    const bad = await upload(mp3, { duration: '3:75' });
    expect(alert(await bad.text())).toBe('“3:75” is not a duration: write it as 3:25 or 205.');
    const ok = await upload(mp3, { duration: '3:25', title: 'Long Song' });
    expect(ok.status).toBe(303);
    expect(await (await browser.request('/dashboard')).text()).toContain('Published “Long Song”.');
    const records = await tracksOnPds(portal.network.pdsUrl, portal.artist.did);
    const song = records.find((r) => r.value.title === 'Long Song');
    expect(song?.value).toMatchObject({ duration: 205, audio: { mimeType: 'audio/mpeg' } });
  });

  it('the PDS refusing the write is shown, not swallowed', async () => {
    const net = portal.network.testnet;
    if (!net) throw new Error('testnet expected');
    net.faults.pdsOverride = (nsid) =>
      nsid === 'com.atproto.repo.uploadBlob'
        ? {
            status: 400,
            headers: { 'content-type': 'application/json' },
            body: '{"error":"BlobTooLarge","message":"too big for this PDS"}',
          }
        : undefined;
    const res = await upload(new File([generateWav()], 'a.wav'));
    expect(res.status).toBe(502);
    expect(alert(await res.text())).toBe('Your PDS refused to upload the audio: BlobTooLarge: too big for this PDS.');
  });

  it('audio of a track that is not in the repository → 404', async () => {
    expect((await browser.request('/tracks/3kzzzzzzzzzzz/audio')).status).toBe(404);
    expect((await browser.request('/tracks/..%2F..%2Fx/audio')).status).toBe(404);
  });
});

describe('human error messages', () => {
  it('PDS unreachable at sign-in: "Your PDS could not be reached"', async () => {
    const server = net.createServer().listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as net.AddressInfo;
    server.close();
    const net_ = portal.network.testnet;
    if (!net_) throw new Error('testnet expected');
    const lost = await net_.createAccount({ handle: 'lost.test', pdsUrl: `http://127.0.0.1:${port}` });
    const other = new HttpBrowser(portal.demo.url);
    const res = await other.request('/login', { form: { _csrf: await other.csrf('/'), handle: lost.handle } });
    expect(res.status).toBe(502);
    expect(alert(await res.text())).toMatch(/^Your PDS could not be reached/);
  });

  it('a listing the PDS cannot serve shows the dashboard with the reason (502)', async () => {
    const net_ = portal.network.testnet;
    if (!net_) throw new Error('testnet expected');
    net_.faults.pdsOverride = (nsid) =>
      nsid === 'com.atproto.repo.listRecords'
        ? { status: 200, headers: { 'content-type': 'text/html' }, body: '<html>maintenance</html>' }
        : undefined;
    const res = await browser.request('/dashboard');
    expect(res.status).toBe(502);
    expect(alert(await res.text())).toBe(
      'Your PDS answered something that is not JSON when asked to list your tracks.',
    );
  });

  it('a session revoked elsewhere: the next page says the session ended and offers sign-in', async () => {
    const other = new HttpBrowser(portal.demo.url);
    await other.login(portal.artist.handle);
    const sessions = await portal.demo.client.listSessions(portal.artist.did);
    // Revoke every session of the account (as "sign out everywhere" would), then use the portal.
    for (const id of sessions) await portal.demo.client.revoke(portal.artist.did, id);
    const res = await other.request('/dashboard');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/');
    expect(await (await other.request('/')).text()).toContain('Your session has ended. Please sign in again.');
  });
});
