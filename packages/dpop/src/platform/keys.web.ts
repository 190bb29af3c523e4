import { type DpopKeyAlg, EC_ALGS } from '../algorithms.js';
import { encodeBase64url } from '../base64url.js';
import {
  assembleDpopKey,
  checkCryptoKeyPair,
  checkExtractable,
  checkGenerateAlg,
  checkPrivateJwk,
  type DpopCryptoKeyPair,
  type DpopKey,
  type DpopPrivateJwk,
  type DpopPublicJwk,
  type DpopStoredKey,
  type GenerateDpopKeyOptions,
  isDpopCryptoKeyPair,
} from '../dpop-key.js';
import { DpopError } from '../errors.js';

const encoder = new TextEncoder();

async function fromCryptoKeys(alg: DpopKeyAlg, privateKey: CryptoKey, publicJwk: DpopPublicJwk): Promise<DpopKey> {
  const params = { name: 'ECDSA', hash: EC_ALGS[alg].hash };
  // WebCrypto returns ECDSA signatures in the JWS r‖s form already (DPOP-10)
  const sign = async (input: string) =>
    encodeBase64url(new Uint8Array(await crypto.subtle.sign(params, privateKey, encoder.encode(input))));
  const exportPrivate = async (): Promise<DpopPrivateJwk> => {
    if (!privateKey.extractable) {
      throw new DpopError(
        'DPOP_KEY_INVALID',
        'this DPoP key is non-extractable and has no JWK form: store exportDpopCryptoKey(key) (a structured-cloneable record) instead',
      );
    }
    const jwk = await crypto.subtle.exportKey('jwk', privateKey);
    return { kty: 'EC', crv: EC_ALGS[alg].crv, x: jwk.x as string, y: jwk.y as string, d: jwk.d as string, alg };
  };
  return assembleDpopKey(alg, publicJwk, sign, exportPrivate, { alg, privateKey, publicJwk });
}

/** A fresh DPoP key from the platform CSPRNG (WebCrypto; runs in browsers, Deno, Bun, Workers, Node). */
export async function generateDpopKey(options: GenerateDpopKeyOptions = {}): Promise<DpopKey> {
  const alg = checkGenerateAlg(options.alg);
  const extractable = checkExtractable(options.extractable);
  const { crv } = EC_ALGS[alg];
  // extractable by default so that exportDpopKey can hand the key to a session store; with
  // `extractable: false` only the private key is locked in (WebCrypto keeps public keys exportable)
  const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: crv }, extractable, ['sign', 'verify']);
  const pub = await crypto.subtle.exportKey('jwk', pair.publicKey);
  return fromCryptoKeys(alg, pair.privateKey, { kty: 'EC', crv, x: pub.x as string, y: pub.y as string });
}

/** Restores a key from the private JWK `exportDpopKey` returned, or the record of `exportDpopCryptoKey`. */
export async function importDpopKey(stored: DpopStoredKey): Promise<DpopKey> {
  if (isDpopCryptoKeyPair(stored)) return importCryptoKeyPair(stored);
  const priv = checkPrivateJwk(stored);
  const { crv, hash } = EC_ALGS[priv.alg];
  const algorithm = { name: 'ECDSA', namedCurve: crv };
  let privateKey: CryptoKey;
  let publicKey: CryptoKey;
  try {
    privateKey = await crypto.subtle.importKey('jwk', { ...priv, ext: true }, algorithm, true, ['sign']);
    const { d: _d, ...pub } = priv;
    publicKey = await crypto.subtle.importKey('jwk', pub, algorithm, true, ['verify']);
  } catch (cause) {
    throw new DpopError('DPOP_KEY_INVALID', `the JWK is not a valid ${crv} key`, { cause });
  }
  // WebCrypto cannot derive the public key, so prove d and (x, y) belong together with one signature
  const probe = encoder.encode('relay-dpop-key-check');
  const sig = await crypto.subtle.sign({ name: 'ECDSA', hash }, privateKey, probe);
  if (!(await crypto.subtle.verify({ name: 'ECDSA', hash }, publicKey, sig, probe))) {
    throw new DpopError('DPOP_KEY_INVALID', 'the JWK "d" does not match its "x"/"y": the stored key is corrupt');
  }
  return fromCryptoKeys(priv.alg, privateKey, { kty: 'EC', crv, x: priv.x, y: priv.y });
}

/** Restores a `DpopCryptoKeyPair` record, proving with one signature that its public JWK belongs to its key. */
async function importCryptoKeyPair(stored: DpopCryptoKeyPair): Promise<DpopKey> {
  const { alg, privateKey, publicJwk } = checkCryptoKeyPair(stored);
  const { crv, hash } = EC_ALGS[alg];
  let publicKey: CryptoKey;
  try {
    publicKey = await crypto.subtle.importKey('jwk', publicJwk, { name: 'ECDSA', namedCurve: crv }, true, ['verify']);
  } catch (cause) {
    throw new DpopError('DPOP_KEY_INVALID', `the CryptoKey record's public JWK is not a valid ${crv} key`, { cause });
  }
  const probe = encoder.encode('relay-dpop-key-check');
  const sig = await crypto.subtle.sign({ name: 'ECDSA', hash }, privateKey, probe);
  if (!(await crypto.subtle.verify({ name: 'ECDSA', hash }, publicKey, sig, probe))) {
    throw new DpopError('DPOP_KEY_INVALID', "the CryptoKey record's public JWK does not belong to its private key");
  }
  return fromCryptoKeys(alg, privateKey, publicJwk);
}
