import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { Track } from './track-repository.js';
import type { WebSession } from './web-session-store.js';

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

export interface PageChrome {
  title: string;
  session: WebSession;
  /** An error to announce (role=alert) or a notice (role=status). */
  message?: { kind: 'ok' | 'error'; text: string } | undefined;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(n < 10 * 1024 ? 1 : 0)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

export function formatDuration(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  return `${m}:${String(s).padStart(2, '0')}`;
}

const csrfField = (session: WebSession) => html`<input type="hidden" name="_csrf" value="${session.csrf}" />`;

function layout(chrome: PageChrome, body: Html): Html {
  const { session, message } = chrome;
  return html`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${chrome.title} · Relay artist portal</title>
    <link rel="stylesheet" href="/style.css" />
  </head>
  <body>
    <a class="skip" href="#main">Skip to content</a>
    <header class="top">
      <a class="brand" href="/">Relay <span>artist portal</span></a>
      ${
        session.did
          ? html`<form class="signout" method="post" action="/logout">
              <span>Signed in as <strong>@${session.handle ?? session.did}</strong></span>
              ${csrfField(session)}
              <button type="submit">Sign out</button>
            </form>`
          : ''
      }
    </header>
    <main id="main">
      ${
        message
          ? message.kind === 'error'
            ? html`<div class="notice error" role="alert" id="message">${message.text}</div>`
            : html`<div class="notice ok" role="status" id="message">${message.text}</div>`
          : ''
      }
      ${body}
    </main>
    <footer>Your tracks live in your own ATProto repository as <code>app.relay.track</code> records.</footer>
  </body>
</html>`;
}

/** The landing page; `handleInvalid` marks the field (and points it at the message) after a bad handle. */
export function landingPage(chrome: PageChrome, handle = '', handleInvalid = false): Html {
  const invalid = handleInvalid && chrome.message?.kind === 'error';
  return layout(
    chrome,
    html`<h1>Publish your music from your own account</h1>
      <p>Sign in with your Bluesky or ATProto handle. Your PDS asks you to let the portal write
        <code>app.relay.track</code> records and upload audio, and nothing else.</p>
      <form class="card" method="post" action="/login">
        ${csrfField(chrome.session)}
        <label for="handle">Your handle</label>
        <input id="handle" name="handle" type="text" inputmode="url" autocomplete="username" autocapitalize="none"
          spellcheck="false" required placeholder="alice.bsky.social" value="${handle}"
          ${invalid ? html`aria-invalid="true" aria-describedby="message"` : ''} />
        <button type="submit">Sign in</button>
      </form>`,
  );
}

export function dashboardPage(
  chrome: PageChrome,
  data: { tracks: Track[]; skipped: number; maxUploadBytes: number; form?: Record<string, string> | undefined },
): Html {
  const f = data.form ?? {};
  return layout(
    chrome,
    html`<h1>Your tracks</h1>
      <section aria-labelledby="upload-heading" class="card">
        <h2 id="upload-heading">Upload a track</h2>
        <form method="post" action="/tracks" enctype="multipart/form-data">
          ${csrfField(chrome.session)}
          <label for="audio">Audio file <span class="hint">(WAV, MP3, Ogg, FLAC, M4A or WebM; up to
            ${formatBytes(data.maxUploadBytes)})</span></label>
          <input id="audio" name="audio" type="file" accept="audio/*" required />
          <label for="title">Title</label>
          <input id="title" name="title" type="text" required maxlength="100" value="${f.title ?? ''}" />
          <label for="artist">Artist</label>
          <input id="artist" name="artist" type="text" required maxlength="64" value="${f.artist ?? ''}" />
          <label for="genre">Genre <span class="hint">(optional)</span></label>
          <input id="genre" name="genre" type="text" maxlength="32" value="${f.genre ?? ''}" />
          <label for="duration">Duration <span class="hint">(m:ss or seconds; found automatically for WAV)</span></label>
          <input id="duration" name="duration" type="text" inputmode="numeric" pattern="[0-9]+(:[0-5][0-9])?"
            value="${f.duration ?? ''}" />
          <label for="description">Description <span class="hint">(optional)</span></label>
          <textarea id="description" name="description" rows="3" maxlength="300">${f.description ?? ''}</textarea>
          <button type="submit">Publish track</button>
        </form>
      </section>
      <section aria-labelledby="tracks-heading">
        <h2 id="tracks-heading">Published (${data.tracks.length})</h2>
        ${data.skipped > 0 ? html`<p class="hint">${data.skipped} record(s) in your repository are not valid tracks and are not shown.</p>` : ''}
        ${
          data.tracks.length === 0
            ? html`<p id="no-tracks">No tracks yet. Upload your first one above.</p>`
            : html`<ul class="tracks">
                ${data.tracks.map((t) => trackItem(chrome.session, t))}
              </ul>`
        }
      </section>`,
  );
}

function trackItem(session: WebSession, t: Track): Html {
  const r = t.record;
  const id = `track-${t.rkey}`;
  return html`<li>
    <article class="track" aria-labelledby="${id}" data-rkey="${t.rkey}">
      <h3 id="${id}">${r.title}</h3>
      <p class="meta">${r.artist}${r.genre ? html` · ${r.genre}` : ''} · ${formatDuration(r.duration)} ·
        ${formatBytes(r.audio.size)}</p>
      ${r.description ? html`<p>${r.description}</p>` : ''}
      <audio controls preload="metadata" src="/tracks/${t.rkey}/audio" aria-label="Play ${r.title}"></audio>
      <form method="post" action="/tracks/${t.rkey}/delete">
        ${csrfField(session)}
        <button type="submit" class="danger" aria-label="Delete ${r.title}">Delete</button>
      </form>
    </article>
  </li>`;
}

export function errorPage(chrome: PageChrome): Html {
  return layout(chrome, html`<h1>${chrome.title}</h1><p><a href="/">Back to the portal</a></p>`);
}

export const STYLESHEET = `
:root { color-scheme: light dark; --accent: #5b3df5; --bg: #fafafa; --fg: #1b1b1f; --card: #fff; --muted: #5f5f6b; }
@media (prefers-color-scheme: dark) { :root { --bg: #121216; --fg: #ececf1; --card: #1d1d24; --muted: #a8a8b8; --accent: #9d8bff; } }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, sans-serif; background: var(--bg); color: var(--fg); }
.skip { position: absolute; left: -999px; } .skip:focus { left: 1rem; top: 1rem; }
.top { display: flex; justify-content: space-between; align-items: center; flex-wrap: wrap; gap: .5rem; padding: .75rem 1.25rem; border-bottom: 1px solid #8884; }
.brand { font-weight: 700; color: var(--fg); text-decoration: none; } .brand span { font-weight: 400; color: var(--muted); }
.signout { display: flex; gap: .75rem; align-items: center; }
main { max-width: 44rem; margin: 0 auto; padding: 1.25rem; }
footer { max-width: 44rem; margin: 2rem auto; padding: 0 1.25rem; color: var(--muted); font-size: .875rem; }
.card { background: var(--card); border: 1px solid #8883; border-radius: .75rem; padding: 1.25rem; margin: 1rem 0; }
label { display: block; margin-top: .9rem; font-weight: 600; }
.hint { font-weight: 400; color: var(--muted); font-size: .875rem; }
input[type=text], textarea { width: 100%; padding: .55rem .65rem; font: inherit; border: 1px solid #8888; border-radius: .4rem; background: transparent; color: inherit; }
input[type=file] { margin-top: .3rem; }
input[aria-invalid=true] { border-color: #d33; }
button { margin-top: 1rem; padding: .55rem 1.1rem; font: inherit; font-weight: 600; color: #fff; background: var(--accent); border: 0; border-radius: .4rem; cursor: pointer; }
.signout button { margin-top: 0; }
button.danger { background: #b3261e; }
:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
.notice { padding: .75rem 1rem; border-radius: .5rem; margin-bottom: 1rem; }
.notice.error { background: #fde7e7; color: #7a1010; border: 1px solid #e9a3a3; }
.notice.ok { background: #e5f6ea; color: #124d22; border: 1px solid #9fd3ad; }
.tracks { list-style: none; padding: 0; }
.track { background: var(--card); border: 1px solid #8883; border-radius: .75rem; padding: 1rem 1.25rem; margin: .75rem 0; }
.track h3 { margin: 0; } .meta { color: var(--muted); margin: .25rem 0 .5rem; }
audio { width: 100%; }
`;
