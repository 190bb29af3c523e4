import { ConformanceError } from './errors.js';

/**
 * Plays the user agent on the mock network: opens the authorization URL (the testnet AS consents
 * by script) and returns the query of the redirect back to the client, without fetching it.
 */
export async function followAuthorization(authorizationUrl: string, timeoutMs = 10_000): Promise<string> {
  const url = new URL(authorizationUrl);
  // Only loopback servers are ever contacted.
  if (url.hostname !== '127.0.0.1' && url.hostname !== 'localhost' && url.hostname !== '[::1]') {
    throw new ConformanceError(
      'INVALID_OPTIONS',
      `The authorization URL ${url.origin} is not on the loopback network.`,
    );
  }
  const res = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
  const location = res.headers.get('location');
  await res.body?.cancel();
  if (res.status < 300 || res.status >= 400 || !location) {
    throw new ConformanceError(
      'SERVER_BAD_RESPONSE',
      `The authorization endpoint answered ${res.status}, not a redirect.`,
    );
  }
  return new URL(location, url).search.replace(/^\?/, '');
}
