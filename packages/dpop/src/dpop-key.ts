import { type DpopKeyAlg, EC_ALGS, isKeyAlg } from './algorithms.js';
import { encodeBase64url, encodeBase64urlText } from './base64url.js';
import { DpopError } from './errors.js';
import { jwkThumbprint } from './jwk-thumbprint.js';

/** Options for `generateDpopKey`. */
export interface GenerateDpopKeyOptions {
  /** Default `ES256`, the algorithm ATProto requires (DPOP-01). */
  alg?: DpopKeyAlg;
  /**
   * Default `true`. `false` makes the private key a non-extractable WebCrypto `CryptoKey` (on every
   * build): no script can ever read it out. Such a key cannot become a JWK; persist the
   * structured-cloneable record of `exportDpopCryptoKey` instead (e.g. in IndexedDB).
   */
  extractable?: boolean;
}

/** A public EC JWK: only the members a verifier needs. Never carries `d` (DPOP-03). */
export interface DpopPublicJwk {
  readonly kty: 'EC';
  readonly crv: 'P-256' | 'P-384' | 'P-521';
  readonly x: string;
  readonly y: string;
}

/** The private JWK `exportDpopKey` returns for storage, and `importDpopKey` accepts. */
export interface DpopPrivateJwk {
  kty: 'EC';
  crv: 'P-256' | 'P-384' | 'P-521';
  x: string;
  y: string;
  d: string;
  alg: DpopKeyAlg;
}

/**
 * A WebCrypto-backed DPoP key as a record: the private `CryptoKey` (possibly non-extractable) and its
 * public JWK. Structured-cloneable (IndexedDB, postMessage), never JSON. `importDpopKey` restores it.
 */
export interface DpopCryptoKeyPair {
  alg: DpopKeyAlg;
  privateKey: CryptoKey;
  publicJwk: DpopPublicJwk;
}

/** What a session store may keep for a DPoP key: a private JWK, or a WebCrypto key record. */
export type DpopStoredKey = DpopPrivateJwk | DpopCryptoKeyPair;

/** Is this a `DpopCryptoKeyPair` record (as opposed to a private JWK)? */
export function isDpopCryptoKeyPair(value: unknown): value is DpopCryptoKeyPair {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof CryptoKey !== 'undefined' &&
    (value as { privateKey?: unknown }).privateKey instanceof CryptoKey
  );
}

/**
 * A DPoP signing key, ready for the hot path: the public JWK, its RFC 7638 thumbprint (`jkt`), the
 * already-encoded protected header and a `sign` function. The private part is reachable only through
 * `exportDpopKey`, and never appears in `JSON.stringify(key)`.
 */
export interface DpopKey {
  readonly alg: DpopKeyAlg;
  readonly publicJwk: DpopPublicJwk;
  /** RFC 7638 SHA-256 thumbprint of `publicJwk` (what the AS binds tokens to, `cnf.jkt`). */
  readonly jkt: string;
  /** base64url(JSON({ typ: 'dpop+jwt', alg, jwk })), computed once per key. */
  readonly header: string;
  /** Signs an ASCII JWS signing input; returns the base64url JWS signature (r‖s form for ES*). */
  readonly sign: (signingInput: string) => string | Promise<string>;
}

/** Where the private-JWK exporter hides on a key (a registered symbol, so both builds agree). */
export const EXPORT_PRIVATE_JWK: unique symbol = Symbol.for('@relay/dpop.exportPrivateJwk') as never;

/** Where a WebCrypto-backed key keeps its `DpopCryptoKeyPair` (a registered symbol, so both builds agree). */
export const EXPORT_CRYPTO_KEY: unique symbol = Symbol.for('@relay/dpop.exportCryptoKey') as never;

/** Where a key keeps its jti source (a registered symbol, so both builds agree). */
export const NEXT_JTI: unique symbol = Symbol.for('@relay/dpop.nextJti') as never;

type KeyWithExport = DpopKey & { readonly [EXPORT_PRIVATE_JWK]: () => Promise<DpopPrivateJwk> };

/** 18 CSPRNG bytes = 144 bits = exactly 24 base64url characters. */
export const JTI_BYTES = 18;
const JTI_CHARS = 24;

/**
 * A per-key source of jti values (DPOP-04: ≥ 128 bits from the CSPRNG). One getRandomValues call fills
 * 64 jti at a time, because a WebCrypto call per proof costs more than the JSON work of a proof.
 */
function jtiSource(): () => string {
  let pool = '';
  let at = 0;
  return () => {
    if (at >= pool.length) {
      pool = encodeBase64url(crypto.getRandomValues(new Uint8Array(JTI_BYTES * 64)));
      at = 0;
    }
    at += JTI_CHARS;
    return pool.slice(at - JTI_CHARS, at);
  };
}

/** Assembles a frozen `DpopKey` from platform pieces; the header is encoded here, once (speed). */
export async function assembleDpopKey(
  alg: DpopKeyAlg,
  publicJwk: DpopPublicJwk,
  sign: DpopKey['sign'],
  exportPrivate: () => Promise<DpopPrivateJwk>,
  cryptoKeyPair?: DpopCryptoKeyPair,
): Promise<DpopKey> {
  // DPOP-03: the embedded jwk is rebuilt from the public members only, so `d` can never leak
  const jwk: DpopPublicJwk = Object.freeze({ kty: 'EC', crv: publicJwk.crv, x: publicJwk.x, y: publicJwk.y });
  const header = encodeBase64urlText(JSON.stringify({ typ: 'dpop+jwt', alg, jwk }));
  const key = { alg, publicJwk: jwk, jkt: await jwkThumbprint(jwk), header, sign };
  Object.defineProperty(key, EXPORT_PRIVATE_JWK, { value: exportPrivate, enumerable: false });
  Object.defineProperty(key, NEXT_JTI, { value: jtiSource(), enumerable: false });
  if (cryptoKeyPair) {
    const record = Object.freeze({ alg, privateKey: cryptoKeyPair.privateKey, publicJwk: jwk });
    Object.defineProperty(key, EXPORT_CRYPTO_KEY, { value: record, enumerable: false });
  }
  return Object.freeze(key);
}

/**
 * The `DpopCryptoKeyPair` record of a WebCrypto-backed key (every key of the WebCrypto build, and
 * keys made with `extractable: false` on any build), for a structured-clone store such as IndexedDB.
 * Pass it back to `importDpopKey` to restore the key. Node's `node:crypto` keys have none: use
 * `exportDpopKey` for those.
 */
export async function exportDpopCryptoKey(key: DpopKey): Promise<DpopCryptoKeyPair> {
  const record = (key as Partial<Record<typeof EXPORT_CRYPTO_KEY, DpopCryptoKeyPair>>)?.[EXPORT_CRYPTO_KEY];
  if (!record) {
    throw new DpopError(
      'DPOP_KEY_INVALID',
      'exportDpopCryptoKey takes a WebCrypto-backed key (the web build, or generateDpopKey({ extractable: false })); use exportDpopKey for node:crypto keys',
    );
  }
  return { alg: record.alg, privateKey: record.privateKey, publicJwk: { ...record.publicJwk } };
}

/**
 * The private JWK of a key made by `generateDpopKey`/`importDpopKey`, for storage (seal it at rest).
 * Pass it back to `importDpopKey` to restore the key.
 */
export async function exportDpopKey(key: DpopKey): Promise<DpopPrivateJwk> {
  const exporter = (key as Partial<KeyWithExport>)?.[EXPORT_PRIVATE_JWK];
  if (typeof exporter !== 'function') {
    throw new DpopError('DPOP_KEY_INVALID', 'exportDpopKey takes a key made by generateDpopKey or importDpopKey');
  }
  return exporter();
}

/** Validates a stored private JWK and returns it with its alg settled. */
export function checkPrivateJwk(jwk: unknown): DpopPrivateJwk {
  if (typeof jwk !== 'object' || jwk === null) {
    throw new DpopError('DPOP_KEY_INVALID', 'importDpopKey expects the private JWK object exportDpopKey returned');
  }
  const j = jwk as Record<string, unknown>;
  if (j.kty !== 'EC') throw new DpopError('DPOP_KEY_INVALID', `DPoP keys are EC keys (got kty ${String(j.kty)})`);
  const alg = j.alg ?? (Object.keys(EC_ALGS) as DpopKeyAlg[]).find((a) => EC_ALGS[a].crv === j.crv);
  if (!isKeyAlg(alg) || EC_ALGS[alg].crv !== j.crv) {
    throw new DpopError('DPOP_KEY_INVALID', `JWK alg/crv must be ES256/P-256, ES384/P-384 or ES512/P-521`);
  }
  const len = Math.ceil((EC_ALGS[alg].coordLength * 4) / 3);
  for (const m of ['x', 'y', 'd'] as const) {
    const v = j[m];
    if (typeof v !== 'string' || v.length !== len || !/^[A-Za-z0-9_-]+$/.test(v)) {
      throw new DpopError(
        'DPOP_KEY_INVALID',
        m === 'd' && v === undefined
          ? 'the JWK has no "d": importDpopKey needs the private JWK from exportDpopKey'
          : `JWK member "${m}" must be ${len} base64url characters for ${EC_ALGS[alg].crv}`,
      );
    }
  }
  return { kty: 'EC', crv: EC_ALGS[alg].crv, x: j.x as string, y: j.y as string, d: j.d as string, alg };
}

/** Validates a stored `DpopCryptoKeyPair`: an ECDSA private signing key of the alg's curve, a public EC JWK. */
export function checkCryptoKeyPair(value: DpopCryptoKeyPair): DpopCryptoKeyPair {
  const bad = (why: string) => new DpopError('DPOP_KEY_INVALID', `importDpopKey: the CryptoKey record ${why}`);
  const { alg, privateKey, publicJwk } = value;
  if (!isKeyAlg(alg)) throw bad('has no alg ES256, ES384 or ES512');
  const algorithm = privateKey.algorithm as EcKeyAlgorithm;
  if (privateKey.type !== 'private' || algorithm.name !== 'ECDSA' || algorithm.namedCurve !== EC_ALGS[alg].crv) {
    throw bad(`needs an ECDSA ${EC_ALGS[alg].crv} private key (got ${privateKey.type} ${algorithm.name})`);
  }
  if (!privateKey.usages.includes('sign')) throw bad('holds a private key without the "sign" usage');
  const len = Math.ceil((EC_ALGS[alg].coordLength * 4) / 3);
  const pub = publicJwk as Partial<DpopPublicJwk> | undefined;
  if (pub?.kty !== 'EC' || pub.crv !== EC_ALGS[alg].crv) throw bad(`needs a public EC ${EC_ALGS[alg].crv} JWK`);
  for (const m of ['x', 'y'] as const) {
    const v = pub[m];
    if (typeof v !== 'string' || v.length !== len || !/^[A-Za-z0-9_-]+$/.test(v)) {
      throw bad(`has a public JWK whose "${m}" is not ${len} base64url characters`);
    }
  }
  // DPOP-03: only the public members are kept, whatever else the record carried
  return { alg, privateKey, publicJwk: { kty: 'EC', crv: pub.crv, x: pub.x as string, y: pub.y as string } };
}

export function checkExtractable(extractable: unknown): boolean {
  if (extractable === undefined) return true;
  if (typeof extractable !== 'boolean') {
    throw new DpopError('DPOP_INVALID_OPTIONS', `generateDpopKey: extractable must be true or false`);
  }
  return extractable;
}

export function checkGenerateAlg(alg: unknown): DpopKeyAlg {
  const chosen = alg ?? 'ES256';
  if (!isKeyAlg(chosen)) {
    throw new DpopError('DPOP_ALG_UNSUPPORTED', `generateDpopKey supports ES256, ES384, ES512 (got ${String(alg)})`);
  }
  return chosen;
}
