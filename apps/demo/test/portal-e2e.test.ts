import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_ARGS, DEFAULT_CHROMIUM_PATH } from '@relay/refpds';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { e2eNetworkKind, type PortalFixture, startPortal, tracksOnPds } from './support/portal.js';
import { generateWav } from './support/wav.js';

// The whole portal in Debian's Chromium: sign in through the PDS's own sign-in and consent pages,
// upload a generated WAV, see it listed and play it, delete it, sign out; plus a wrong handle, a
// denied consent and an oversized file. A screenshot of every step goes to test-artifacts/.

const CHROMIUM = process.env.CHROMIUM_PATH ?? DEFAULT_CHROMIUM_PATH;
const ARTIFACTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'test-artifacts');
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);
const MAX_UPLOAD = 64 * 1024;
const { kind, why } = e2eNetworkKind();
const noChromium = existsSync(CHROMIUM) ? '' : `no Chromium at ${CHROMIUM}: apt-get install -y chromium`;

let portal: PortalFixture;
let browser: Browser;
const timings: Record<string, number> = {};
const blocked: string[] = [];
let shot = 0;

async function timed<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  try {
    return await fn();
  } finally {
    timings[label] = Math.round(performance.now() - t0);
  }
}

async function screenshot(page: Page, name: string): Promise<void> {
  shot++;
  await page.screenshot({ path: path.join(ARTIFACTS, `${String(shot).padStart(2, '0')}-${name}.png`), fullPage: true });
}

/** A fresh browser profile (no portal or PDS cookies) that may only reach loopback. */
async function newContext(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1000, height: 800 } });
  context.setDefaultTimeout(60_000);
  await context.route('**/*', async (route) => {
    const url = new URL(route.request().url());
    if (url.protocol === 'data:' || url.protocol === 'blob:' || LOOPBACK.has(url.hostname)) await route.continue();
    else {
      blocked.push(url.href);
      await route.abort('blockedbyclient');
    }
  });
  return { context, page: await context.newPage() };
}

async function message(page: Page): Promise<string> {
  return ((await page.locator('#message').textContent()) ?? '').trim();
}

/** Landing page → handle → the PDS's sign-in page (password) → its consent step. */
async function startLogin(page: Page, handle: string, label: string): Promise<void> {
  await page.goto(portal.demo.url);
  await page.getByLabel('Your handle').fill(handle);
  if (kind === 'testnet') {
    await page.getByRole('button', { name: 'Sign in' }).click();
    return;
  }
  await Promise.all([
    page.waitForURL((u) => u.origin === new URL(portal.network.pdsUrl).origin),
    page.getByRole('button', { name: 'Sign in' }).click(),
  ]);
  const username = page.locator('input[name="username"]');
  await username.waitFor({ state: 'visible' });
  if ((await username.inputValue()) === '') await username.fill(handle);
  await page.locator('input[name="password"]').fill(portal.artist.password);
  await screenshot(page, `${label}-pds-sign-in`);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('button', { name: 'Authorize', exact: true }).waitFor({ state: 'visible' });
  await screenshot(page, `${label}-pds-consent`);
}

describe.skipIf(noChromium !== '')(
  `the artist portal in Chromium on ${kind === 'refpds' ? 'the real reference PDS' : 'testnet'} (${why})${noChromium ? ` (skipped: ${noChromium})` : ''}`,
  () => {
    beforeAll(async () => {
      // One run's screenshots only.
      await rm(ARTIFACTS, { recursive: true, force: true });
      await mkdir(ARTIFACTS, { recursive: true });
      portal = await timed('network + portal start', () => startPortal(kind, { MAX_UPLOAD_BYTES: String(MAX_UPLOAD) }));
      browser = await timed('browser launch', () =>
        chromium.launch({
          executablePath: CHROMIUM,
          headless: true,
          args: [...CHROMIUM_ARGS, '--autoplay-policy=no-user-gesture-required', '--mute-audio'],
        }),
      );
    });

    afterAll(async () => {
      await browser?.close();
      await portal?.stop();
      console.log(
        `[demo e2e] network ${kind}; timings (ms): ${Object.entries(timings)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}`,
      );
    });

    it('a handle that does not exist shows "couldn\'t find the handle" on the landing page', async () => {
      const { context, page } = await newContext();
      try {
        await timed('wrong handle', async () => {
          await page.goto(portal.demo.url);
          await screenshot(page, 'landing');
          await page.getByLabel('Your handle').fill('nobody-here.test');
          await page.getByRole('button', { name: 'Sign in' }).click();
          await page.locator('#message').waitFor();
        });
        expect(await message(page)).toMatch(/couldn't find the handle “nobody-here\.test”/);
        expect(page.url()).toBe(`${portal.demo.url}/login`);
        expect(await page.getByLabel('Your handle').getAttribute('aria-invalid')).toBe('true');
        await screenshot(page, 'wrong-handle');
      } finally {
        await context.close();
      }
    });

    it('CALLBACK-01: denying consent on the PDS page comes back signed out, with "You declined access"', async () => {
      const { context, page } = await newContext();
      try {
        await timed('denied consent', async () => {
          if (portal.network.testnet) portal.network.testnet.faults.consent = { approve: false };
          await startLogin(page, portal.artist.handle, 'deny');
          if (kind === 'refpds') await page.getByRole('button', { name: 'Deny access', exact: true }).click();
          await page.waitForURL(`${portal.demo.url}/`);
          await page.locator('#message').waitFor();
        });
        expect(await message(page)).toMatch(/You declined access, so you are not signed in/);
        await screenshot(page, 'consent-denied');
        // Still signed out: the dashboard sends us back to the landing page.
        await page.goto(`${portal.demo.url}/dashboard`);
        expect(page.url()).toBe(`${portal.demo.url}/`);
      } finally {
        portal.network.testnet?.resetFaults();
        await context.close();
      }
    });

    describe('a signed-in artist', () => {
      let context: BrowserContext;
      let page: Page;
      const wav = generateWav({ seconds: 2 });
      const title = `Night Drive ${Date.now().toString(36)}`;

      beforeAll(async () => {
        ({ context, page } = await newContext());
      });
      afterAll(async () => {
        await context?.close();
      });

      it('signs in through the PDS consent page and lands on the dashboard', async () => {
        await timed('login (landing → consent → dashboard)', async () => {
          await startLogin(page, portal.artist.handle, 'login');
          if (kind === 'refpds') await page.getByRole('button', { name: 'Authorize', exact: true }).click();
          await page.waitForURL(`${portal.demo.url}/dashboard`);
        });
        expect(await message(page)).toBe(`Signed in as @${portal.artist.handle}.`);
        await expect(page.getByRole('heading', { name: 'Your tracks' }).isVisible()).resolves.toBe(true);
        expect(await page.locator('#no-tracks').isVisible()).toBe(true);
        const cookies = await context.cookies(portal.demo.url);
        const sid = cookies.find((c) => c.name === 'relay_sid');
        expect(sid?.httpOnly).toBe(true);
        expect(sid?.sameSite).toBe('Lax');
        await screenshot(page, 'dashboard-empty');
      });

      it('uploads a generated WAV: the record is in the repo, listed, and plays', async () => {
        await timed('upload', async () => {
          await page
            .getByLabel(/Audio file/)
            .setInputFiles({ name: 'night-drive.wav', mimeType: 'audio/wav', buffer: Buffer.from(wav) });
          await page.getByLabel('Title').fill(title);
          await page.getByLabel('Artist').fill('The Loopbacks');
          await page.getByLabel(/Genre/).fill('Synthwave');
          await page.getByLabel(/Description/).fill('Two seconds of A440, generated by the test.');
          await screenshot(page, 'upload-form');
          await page.getByRole('button', { name: 'Publish track' }).click();
          await page.waitForURL(`${portal.demo.url}/dashboard`);
        });
        expect(await message(page)).toBe(`Published “${title}”.`);
        const item = page.getByRole('article', { name: title });
        await expect(item.isVisible()).resolves.toBe(true);
        expect(await item.locator('.meta').textContent()).toMatch(/The Loopbacks · Synthwave · 0:02/);

        // The record is in the artist's own repository, validated shape, blob typed by its bytes.
        const records = await tracksOnPds(portal.network.pdsUrl, portal.artist.did);
        expect(records).toHaveLength(1);
        const value = records[0]?.value as {
          title: string;
          duration: number;
          audio: { mimeType: string; size: number };
        };
        expect(value.title).toBe(title);
        expect(value.duration).toBe(2);
        expect(value.audio).toMatchObject({ mimeType: 'audio/wav', size: wav.byteLength });

        // The player's source is the PDS blob, served through the portal byte for byte.
        const src = await item.locator('audio').getAttribute('src');
        const res = await page.request.get(`${portal.demo.url}${src}`);
        expect(res.status()).toBe(200);
        expect(res.headers()['content-type']).toBe('audio/wav');
        expect(new Uint8Array(await res.body())).toEqual(wav);

        const played = await timed('audio plays', () =>
          item.locator('audio').evaluate(async (audio: HTMLAudioElement) => {
            if (audio.readyState < 1) {
              await new Promise((resolve, reject) => {
                audio.addEventListener('loadedmetadata', resolve, { once: true });
                audio.addEventListener('error', () => reject(new Error(`media error ${audio.error?.code}`)), {
                  once: true,
                });
              });
            }
            await audio.play();
            await new Promise((r) => setTimeout(r, 400));
            return { duration: audio.duration, currentTime: audio.currentTime, error: audio.error?.code ?? null };
          }),
        );
        expect(played.error).toBeNull();
        expect(played.duration).toBeCloseTo(2, 1);
        expect(played.currentTime).toBeGreaterThan(0);
        await screenshot(page, 'track-listed');
      });

      it('an oversized file is refused with "too large", and nothing is written', async () => {
        await timed('oversized upload', async () => {
          await page.getByLabel(/Audio file/).setInputFiles({
            name: 'too-long.wav',
            mimeType: 'audio/wav',
            buffer: Buffer.from(generateWav({ seconds: 20 })),
          });
          await page.getByLabel('Title').fill('Too long');
          await page.getByLabel('Artist').fill('The Loopbacks');
          await page.getByRole('button', { name: 'Publish track' }).click();
          await page.locator('#message').waitFor();
        });
        expect(await message(page)).toMatch(/That file is too large .*the limit is 64 KB\./);
        expect(await tracksOnPds(portal.network.pdsUrl, portal.artist.did)).toHaveLength(1);
        await screenshot(page, 'too-large');
      });

      it('deletes the track from the repository', async () => {
        await page.goto(`${portal.demo.url}/dashboard`);
        await timed('delete', async () => {
          await page.getByRole('button', { name: `Delete ${title}` }).click();
          await page.waitForURL(`${portal.demo.url}/dashboard`);
        });
        expect(await message(page)).toBe(`Deleted “${title}”.`);
        expect(await page.locator('#no-tracks').isVisible()).toBe(true);
        expect(await tracksOnPds(portal.network.pdsUrl, portal.artist.did)).toHaveLength(0);
        await screenshot(page, 'track-deleted');
      });

      it('REVOKE-01: signs out; the dashboard is closed afterwards', async () => {
        await timed('sign out', async () => {
          await page.getByRole('button', { name: 'Sign out' }).click();
          await page.waitForURL(`${portal.demo.url}/`);
        });
        expect(await message(page)).toBe('You are signed out.');
        await expect(portal.demo.client.listSessions(portal.artist.did)).resolves.toEqual([]);
        await page.goto(`${portal.demo.url}/dashboard`);
        expect(page.url()).toBe(`${portal.demo.url}/`);
        await screenshot(page, 'signed-out');
      });
    });

    it('the browser never tried to reach anything but loopback', () => {
      expect(blocked).toEqual([]);
    });
  },
);
