import * as z from 'zod/mini';
import { type DpopVerifyAlg, EC_ALGS, isKeyAlg, isVerifyAlg, RSA_ALGS } from './algorithms.js';
import { decodeBase64url } from './base64url.js';
import { computeAth } from './compute-ath.js';
import { DpopError } from './errors.js';
import { htuOf } from './htu.js';
import { jwkThumbprint } from './jwk-thumbprint.js';
import type { ReplayCache } from './replay-cache.js';

/** What the server expects of a proof. */
export interface VerifyDpopProofOptions {
  /** The request's method. */
  htm: string;
  /** The request's URL (query and fragment are ignored on both sides). */
  htu: string | URL;
  /**
   * The nonce(s) this server currently accepts: one value, a list (current and recently stale), or a
   * predicate. Leave out only if the server issues no nonces.
   */
  nonce?: string | readonly string[] | ((nonce: string) => boolean | Promise<boolean>);
  /** At a resource server: the access token presented, which `ath` must hash to. */
  accessToken?: string;
  /** At a resource server: the `cnf.jkt` the access token is bound to. */
  jkt?: string;
  /** Current time in epoch seconds (default: the clock). */
  now?: number;
  /** How old `iat` may be, in seconds (default 300). */
  maxAgeSeconds?: number;
  /** Tolerated clock difference, in seconds, both ways (default 30). */
  clockSkewSeconds?: number;
  /** Where accepted proofs are remembered; `false` is an explicit opt-out of replay detection. */
  replayCache: ReplayCache | false;
  /** Accepted algorithms (default `['ES256']`). */
  algs?: readonly DpopVerifyAlg[];
}

/** The claims of a verified proof. */
export interface DpopClaims {
  jti: string;
  htm: string;
  htu: string;
  iat: number;
  nonce?: string;
  ath?: string;
}

/** A verified proof: the key's thumbprint (bind tokens to it), the claims and the header essentials. */
export interface VerifiedDpopProof {
  jkt: string;
  claims: DpopClaims;
  header: { alg: DpopVerifyAlg; jwk: Record<string, string> };
}

const MAX_PROOF_LENGTH = 8192;
const MAX_JTI_LENGTH = 256;
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
const decoder = new TextDecoder('utf-8', { fatal: true });

const claimsSchema = z.object({
  jti: z.string().check(z.minLength(1), z.maxLength(MAX_JTI_LENGTH)),
  htm: z.string(),
  htu: z.string(),
  iat: z.number().check(z.refine(Number.isFinite)),
  nonce: z.optional(z.string()),
  ath: z.optional(z.string()),
});

function fail(code: ConstructorParameters<typeof DpopError>[0], message: string): never {
  throw new DpopError(code, message);
}

function decodeJson(segment: string, what: string): unknown {
  const bytes = decodeBase64url(segment, what);
  try {
    return JSON.parse(decoder.decode(bytes));
  } catch {
    return fail('DPOP_MALFORMED', `${what} is not UTF-8 JSON`);
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

async function importVerifyKey(alg: DpopVerifyAlg, jwk: Record<string, unknown>): Promise<CryptoKey> {
  // DPOP-03 / DPOP-SRV-01: the embedded jwk must be public — any private member is refused outright
  const leaked = PRIVATE_MEMBERS.filter((m) => m in jwk);
  if (leaked.length > 0) fail('DPOP_JWK_PRIVATE', `the header jwk carries private key material (${leaked.join(', ')})`);
  const str = (m: string) => {
    const v = jwk[m];
    if (typeof v !== 'string' || v.length === 0) fail('DPOP_JWK_INVALID', `the header jwk needs a string "${m}"`);
    return v;
  };
  try {
    if (isKeyAlg(alg)) {
      const info = EC_ALGS[alg];
      if (jwk.kty !== 'EC' || jwk.crv !== info.crv) fail('DPOP_JWK_INVALID', `${alg} needs an EC ${info.crv} jwk`);
      const pub = { kty: 'EC', crv: info.crv, x: str('x'), y: str('y') };
      for (const c of [pub.x, pub.y]) {
        if (decodeBase64url(c, 'jwk coordinate').length !== info.coordLength) {
          fail('DPOP_JWK_INVALID', `jwk coordinates must be ${info.coordLength} bytes for ${info.crv}`);
        }
      }
      return await crypto.subtle.importKey('jwk', pub, { name: 'ECDSA', namedCurve: info.crv }, false, ['verify']);
    }
    const info = RSA_ALGS[alg];
    if (jwk.kty !== 'RSA') fail('DPOP_JWK_INVALID', `${alg} needs an RSA jwk`);
    const pub = { kty: 'RSA', n: str('n'), e: str('e') };
    if (decodeBase64url(pub.n, 'jwk modulus').length < 256) fail('DPOP_JWK_INVALID', 'RSA keys under 2048 bits');
    return await crypto.subtle.importKey('jwk', pub, { name: info.name, hash: info.hash }, false, ['verify']);
  } catch (err) {
    if (err instanceof DpopError) throw new DpopError('DPOP_JWK_INVALID', err.message);
    throw new DpopError('DPOP_JWK_INVALID', 'the header jwk is not a usable public key', { cause: err });
  }
}

async function nonceAccepted(expected: NonceOption, nonce: string): Promise<boolean> {
  if (typeof expected === 'string') return expected === nonce;
  if (typeof expected === 'function') return (await expected(nonce)) === true;
  return expected.includes(nonce);
}
type NonceOption = NonNullable<VerifyDpopProofOptions['nonce']>;

function checkOptions(o: VerifyDpopProofOptions): { maxAge: number; skew: number; now: number } {
  if (!isRecord(o)) fail('DPOP_INVALID_OPTIONS', 'verifyDpopProof needs an options object');
  if (o.replayCache === undefined || (o.replayCache !== false && typeof o.replayCache?.add !== 'function')) {
    fail('DPOP_INVALID_OPTIONS', 'pass replayCache (createMemoryReplayCache()) or replayCache: false to opt out');
  }
  if (typeof o.htm !== 'string' || o.htm === '') fail('DPOP_INVALID_OPTIONS', 'htm must be the request method');
  const maxAge = o.maxAgeSeconds ?? 300;
  const skew = o.clockSkewSeconds ?? 30;
  const now = o.now ?? Date.now() / 1000;
  for (const [name, v] of [
    ['maxAgeSeconds', maxAge],
    ['clockSkewSeconds', skew],
    ['now', now],
  ] as const) {
    if (!Number.isFinite(v) || v < 0) fail('DPOP_INVALID_OPTIONS', `${name} must be a non-negative number`);
  }
  return { maxAge, skew, now };
}

/**
 * Verifies a DPoP proof for a request (RFC 9449 §4.3, DPOP-SRV-01/02). Resolves with the key
 * thumbprint and claims, or throws a `DpopError` whose `code` names the check that failed.
 * Checks run in this order: shape, typ, alg, jwk, signature, htm, htu, iat, nonce, ath, jkt, replay —
 * the replay cache is touched only by proofs that passed every other check.
 */
export async function verifyDpopProof(proof: string, options: VerifyDpopProofOptions): Promise<VerifiedDpopProof> {
  const { maxAge, skew, now } = checkOptions(options);
  const expectedHtu = htuOf(options.htu);
  const algs = options.algs ?? ['ES256'];

  // DPOP-SRV-01: a single, well-formed, bounded JWS compact serialisation
  if (typeof proof !== 'string' || proof.length === 0) fail('DPOP_MALFORMED', 'the DPoP header is empty');
  if (proof.length > MAX_PROOF_LENGTH) fail('DPOP_MALFORMED', `the proof is over ${MAX_PROOF_LENGTH} characters`);
  const parts = proof.split('.');
  if (parts.length !== 3) fail('DPOP_MALFORMED', 'a DPoP proof is a compact JWS: three dot-separated parts');
  const [h, p, s] = parts as [string, string, string];
  const header = decodeJson(h, 'the JWS header');
  if (!isRecord(header)) fail('DPOP_MALFORMED', 'the JWS header is not a JSON object');

  if (header.typ !== 'dpop+jwt') fail('DPOP_TYP_INVALID', `typ must be "dpop+jwt" (got ${JSON.stringify(header.typ)})`);
  // DPOP-03: asymmetric algorithms only (never none/HS*), and only those the policy allows
  const alg = header.alg;
  if (!isVerifyAlg(alg) || !algs.includes(alg)) {
    fail('DPOP_ALG_UNSUPPORTED', `alg ${JSON.stringify(alg)} is not accepted here (accepted: ${algs.join(', ')})`);
  }
  if ('crit' in header) fail('DPOP_MALFORMED', 'the JWS header has crit extensions this verifier does not support');
  if (!isRecord(header.jwk)) fail('DPOP_JWK_INVALID', 'the JWS header must embed the public key as "jwk"');
  const jwk = header.jwk;
  const key = await importVerifyKey(alg, jwk);

  const signature = decodeBase64url(s, 'the JWS signature');
  const sigOk =
    isKeyAlg(alg) && signature.length !== EC_ALGS[alg].signatureLength
      ? false // DPOP-10: ES* signatures are the fixed-length r‖s form; DER is refused
      : await crypto.subtle.verify(
          isKeyAlg(alg)
            ? { name: 'ECDSA', hash: EC_ALGS[alg].hash }
            : { name: RSA_ALGS[alg].name, saltLength: RSA_ALGS[alg].saltLength },
          key,
          signature,
          new TextEncoder().encode(`${h}.${p}`),
        );
  if (!sigOk) fail('DPOP_SIGNATURE_INVALID', 'the proof signature does not verify under its embedded jwk');

  const parsed = claimsSchema.safeParse(decodeJson(p, 'the JWS payload'));
  if (!parsed.success) {
    fail('DPOP_MALFORMED', 'the payload needs jti (1-256 chars), htm, htu (strings) and a numeric iat');
  }
  const claims: DpopClaims = parsed.data;

  if (claims.htm !== options.htm) fail('DPOP_HTM_MISMATCH', `htm ${claims.htm} does not match ${options.htm}`);
  let claimHtu: string | undefined;
  try {
    claimHtu = htuOf(claims.htu);
  } catch {
    claimHtu = undefined;
  }
  // DPOP-04 / DPOP-SRV-01: compare normalised URIs, ignoring query and fragment on both sides
  if (claimHtu !== expectedHtu) fail('DPOP_HTU_MISMATCH', `htu ${claims.htu} does not match ${expectedHtu}`);

  if (claims.iat > now + skew || claims.iat < now - maxAge - skew) {
    fail('DPOP_IAT_OUT_OF_WINDOW', `iat ${claims.iat} is outside [now - ${maxAge + skew}s, now + ${skew}s]`);
  }

  // NONCE-08: once the server has issued a nonce, a proof without one is refused
  if (options.nonce !== undefined) {
    if (claims.nonce === undefined) fail('DPOP_NONCE_MISSING', 'the proof carries no nonce; send the DPoP-Nonce');
    if (!(await nonceAccepted(options.nonce, claims.nonce))) {
      fail('DPOP_NONCE_STALE', 'the proof nonce is not (or no longer) accepted; retry with the latest DPoP-Nonce');
    }
  }

  // DPOP-06 / DPOP-SRV-01: at the RS, ath must hash the presented access token
  if (options.accessToken !== undefined) {
    if (claims.ath === undefined) fail('DPOP_ATH_MISMATCH', 'the proof has no ath but an access token was presented');
    if (claims.ath !== (await computeAth(options.accessToken))) {
      fail('DPOP_ATH_MISMATCH', 'ath does not hash the presented access token');
    }
  }

  const jkt = await jwkThumbprint(jwk);
  // DPOP-SRV-01: the key must be the one the access token (or code) is bound to
  if (options.jkt !== undefined && options.jkt !== jkt) {
    fail('DPOP_JKT_MISMATCH', 'the proof key is not the key the token is bound to');
  }

  // DPOP-SRV-02: a jti seen within the proof's acceptance window is a replay
  if (options.replayCache !== false) {
    const fresh = await options.replayCache.add(`${jkt}:${claims.jti}`, claims.iat + maxAge + skew, now);
    if (!fresh) fail('DPOP_JTI_REPLAY', `jti ${claims.jti} was already used with this key`);
  }

  const publicJwk: Record<string, string> = {};
  for (const [k, v] of Object.entries(jwk)) if (typeof v === 'string') publicJwk[k] = v;
  return { jkt, claims, header: { alg, jwk: publicJwk } };
}
