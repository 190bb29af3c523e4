// Loads the official client's DPoP fetch path (@atproto/oauth-client 0.8.7). Its dpopFetchWrapper is
// not re-exported by the package index, so it is imported from its own file in the installed package:
// the exact code the official OAuthSession wraps around fetch.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { WebcryptoKey } from '@atproto/jwk-webcrypto';

const require = createRequire(import.meta.url);

async function officialDir() {
  try {
    return dirname(require.resolve('@atproto/oauth-client/package.json'));
  } catch {
    return join(new URL(import.meta.resolve('@atproto/oauth-client')).pathname, '..', '..');
  }
}

/** A fetch with the official client's DPoP handling, bound to an access token. */
export async function officialDpopFetch({ fetch, accessToken }) {
  const { dpopFetchWrapper } = await import(pathToFileURL(join(await officialDir(), 'dist/fetch-dpop.js')).href);
  // WebcryptoKey.generate() expects the browser build of jose; on Node the key is built from a
  // WebCrypto pair, as a browser would have it.
  const key = await WebcryptoKey.fromKeypair(
    await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']),
    'bench',
  );
  const nonces = new Map();
  const wrapped = dpopFetchWrapper({
    key,
    supportedAlgs: ['ES256'],
    nonces: {
      get: async (o) => nonces.get(o),
      set: async (o, n) => void nonces.set(o, n),
      del: async (o) => void nonces.delete(o),
    },
    isAuthServer: false,
    fetch,
  });
  return (url, init = {}) =>
    wrapped(url, { ...init, headers: { ...(init.headers ?? {}), authorization: `DPoP ${accessToken}` } });
}
