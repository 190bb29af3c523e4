import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { chromium } from 'playwright-core';
import { RefPdsError } from './errors.js';

/** Debian's Chromium (`apt-get install -y chromium`). Never a browser downloaded by Playwright. */
export const DEFAULT_CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Flags for a headless Chromium that only ever talks to loopback. Even with background
 * networking off, Chromium looks up Google hosts (sign-in, autofill, password leak check,
 * updates) through the system resolver; the resolver rule answers NOTFOUND for every name
 * but loopback, so no DNS query leaves the machine. 127.0.0.1 must be excluded too, or the
 * redirect to the loopback callback fails with ERR_NAME_NOT_RESOLVED.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-features=AutofillServerCommunication,OptimizationHints,MediaRouter',
  '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1 , EXCLUDE [::1]',
];

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

export interface ChromiumLoginOptions {
  readonly username: string;
  readonly password: string;
  /** The client's redirect URI (a `CallbackServer`'s): the login is done when the page lands there. */
  readonly redirectUri: string;
  /** Press "Deny access" on the consent step instead of "Authorize". */
  readonly deny?: boolean;
  /** Default `/usr/bin/chromium`. */
  readonly executablePath?: string;
  /** For the whole sign-in. Default 60 s. */
  readonly timeoutMs?: number;
}

export interface ChromiumLoginResult {
  /** The URL the browser landed on: the redirect URI with `code`/`state`/`iss` (or `error`). */
  readonly redirectTo: URL;
  /** Requests the page tried to send to a non-loopback host (aborted). Should be empty. */
  readonly blockedRequests: readonly string[];
  readonly timings: { readonly launchMs: number; readonly signInMs: number; readonly consentMs: number };
}

/**
 * Drives the reference provider's real sign-in and consent pages in headless Chromium:
 * open the authorization URL, type the password (the handle is pre-filled from `login_hint`),
 * press "Sign in", then "Authorize" (or "Deny access"), and wait until the browser reaches the
 * redirect URI. Any request to a host other than loopback is aborted and reported.
 */
export async function loginWithChromium(
  authorizeUrl: string | URL,
  options: ChromiumLoginOptions,
): Promise<ChromiumLoginResult> {
  const executablePath = options.executablePath ?? DEFAULT_CHROMIUM_PATH;
  if (!existsSync(executablePath)) {
    throw new RefPdsError('CHROMIUM_MISSING', `No Chromium at ${executablePath}: run \`apt-get install -y chromium\`.`);
  }
  const timeoutMs = options.timeoutMs ?? 60_000;
  const t0 = performance.now();
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: [...CHROMIUM_ARGS],
    timeout: timeoutMs,
  });
  try {
    const context = await browser.newContext({ locale: 'en-US' });
    context.setDefaultTimeout(timeoutMs);
    const blockedRequests: string[] = [];
    await context.route('**/*', async (route) => {
      const url = new URL(route.request().url());
      if (url.protocol === 'data:' || url.protocol === 'blob:' || LOOPBACK_HOSTS.has(url.hostname)) {
        await route.continue();
      } else {
        blockedRequests.push(url.href);
        await route.abort('blockedbyclient');
      }
    });
    const page = await context.newPage();
    const launchMs = ms(t0);

    const t1 = performance.now();
    await page.goto(new URL(authorizeUrl).href);
    const username = page.locator('input[name="username"]');
    await username.waitFor({ state: 'visible' });
    if ((await username.inputValue()) === '') await username.fill(options.username);
    await page.locator('input[name="password"]').fill(options.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    const authorize = page.getByRole('button', { name: 'Authorize', exact: true });
    await authorize.waitFor({ state: 'visible' });
    const signInMs = ms(t1);

    const t2 = performance.now();
    const landed = page.waitForURL((u) => u.href.startsWith(options.redirectUri), { waitUntil: 'load' });
    if (options.deny) await page.getByRole('button', { name: 'Deny access', exact: true }).click();
    else await authorize.click();
    await landed;
    const consentMs = ms(t2);
    return { redirectTo: new URL(page.url()), blockedRequests, timings: { launchMs, signInMs, consentMs } };
  } catch (err) {
    if (err instanceof RefPdsError) throw err;
    throw new RefPdsError('PROVIDER_CHANGED', `The Chromium sign-in did not complete: ${(err as Error).message}`, {
      cause: err,
    });
  } finally {
    await browser.close();
  }
}

function ms(since: number): number {
  return Math.round(performance.now() - since);
}
