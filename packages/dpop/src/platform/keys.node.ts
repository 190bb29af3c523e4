import { createECDH, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { type DpopKeyAlg, EC_ALGS } from '../algorithms.js';
import {
  assembleDpopKey,
  checkExtractable,
  checkGenerateAlg,
  checkPrivateJwk,
  type DpopKey,
  type DpopPrivateJwk,
  type DpopStoredKey,
  type GenerateDpopKeyOptions,
  isDpopCryptoKeyPair,
} from '../dpop-key.js';
import { DpopError } from '../errors.js';
import { generateDpopKey as generateWebKey, importDpopKey as importWebKey } from './keys.web.js';

const ECDH_CURVE = { 'P-256': 'prime256v1', 'P-384': 'secp384r1', 'P-521': 'secp521r1' } as const;
const NODE_HASH = { 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' } as const;

function fromKeyObject(alg: DpopKeyAlg, privateKey: KeyObject): Promise<DpopKey> {
  const pub = createPublicKey(privateKey).export({ format: 'jwk' });
  const { crv } = EC_ALGS[alg];
  const hash = NODE_HASH[EC_ALGS[alg].hash];
  const signOptions = { key: privateKey, dsaEncoding: 'ieee-p1363' as const };
  // Hot path: one synchronous node:crypto call on a prepared KeyObject; the signing input is ASCII, so
  // latin1 is the cheapest exact encoding. DPOP-10: ieee-p1363 gives the 64-byte r‖s form, not DER.
  const signFn = (input: string) => sign(hash, Buffer.from(input, 'latin1'), signOptions).toString('base64url');
  const exportPrivate = async (): Promise<DpopPrivateJwk> => {
    const jwk = privateKey.export({ format: 'jwk' });
    return { kty: 'EC', crv, x: jwk.x as string, y: jwk.y as string, d: jwk.d as string, alg };
  };
  return assembleDpopKey(alg, { kty: 'EC', crv, x: pub.x as string, y: pub.y as string }, signFn, exportPrivate);
}

/** A fresh DPoP key (Node build: a `node:crypto` KeyObject, the fastest signer on Node). */
export async function generateDpopKey(options: GenerateDpopKeyOptions = {}): Promise<DpopKey> {
  const alg = checkGenerateAlg(options.alg);
  // A non-extractable key must be a WebCrypto CryptoKey (a KeyObject can always be exported).
  if (!checkExtractable(options.extractable)) return generateWebKey(options);
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: EC_ALGS[alg].crv });
  return fromKeyObject(alg, privateKey);
}

/** Restores a key from the private JWK `exportDpopKey` returned, or the record of `exportDpopCryptoKey`. */
export async function importDpopKey(stored: DpopStoredKey): Promise<DpopKey> {
  if (isDpopCryptoKeyPair(stored)) return importWebKey(stored);
  const priv = checkPrivateJwk(stored);
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({
      key: { kty: 'EC', crv: priv.crv, x: priv.x, y: priv.y, d: priv.d },
      format: 'jwk',
    });
  } catch (cause) {
    throw new DpopError('DPOP_KEY_INVALID', `the JWK is not a valid ${priv.crv} key`, { cause });
  }
  // node keeps the given x/y as is, so derive the public point from d to prove they belong together
  let point: Buffer;
  try {
    const ecdh = createECDH(ECDH_CURVE[priv.crv]);
    ecdh.setPrivateKey(Buffer.from(priv.d, 'base64url'));
    point = ecdh.getPublicKey();
  } catch (cause) {
    throw new DpopError('DPOP_KEY_INVALID', `the JWK "d" is not a valid ${priv.crv} private key`, { cause });
  }
  const size = (point.length - 1) / 2;
  const x = point.subarray(1, 1 + size).toString('base64url');
  const y = point.subarray(1 + size).toString('base64url');
  if (x !== priv.x || y !== priv.y) {
    throw new DpopError('DPOP_KEY_INVALID', 'the JWK "d" does not match its "x"/"y": the stored key is corrupt');
  }
  return fromKeyObject(priv.alg, privateKey);
}
