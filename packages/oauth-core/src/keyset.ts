import { OAuthError } from './errors.js';

/** A P-256 private JWK as stored by a confidential client: `kid` is mandatory (CONF-02). */
export interface PrivateClientJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
  d: string;
  kid: string;
  alg?: 'ES256';
  use?: 'sig';
  [member: string]: unknown;
}

/** The public half, as published in `jwks` (META-CLIENT-14: never a `d`). */
export interface PublicClientJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
  kid: string;
  alg: 'ES256';
  use: 'sig';
  [member: string]: unknown;
}

/**
 * One confidential-client signing key as a {@link Keyset} holds it (imported from a private JWK that
 * {@link generateClientKey} or `relay-oauth keygen` made). `kid` is published in the JWKS and sent in
 * each client assertion (META-CLIENT-14, CONF-02).
 *
 * @example
 * ```ts
 * const keyset = await Keyset.from([await generateClientKey({ kid: '2026-11' })]);
 * const key = keyset.newest;
 * console.log(key.kid, key.publicJwk.crv); // '2026-11' 'P-256'
 * ```
 */
export interface ClientKey {
  kid: string;
  alg: 'ES256';
  publicJwk: PublicClientJwk;
  /** Non-extractable WebCrypto signing key; oauth4webapi's PrivateKeyJwt signs the assertion with it. */
  privateKey: CryptoKey;
}

function keysetError(message: string): OAuthError {
  return new OAuthError('KEYSET_INVALID', message);
}

/**
 * The signing keys of a confidential client. Order matters: the **last** key is the newest and
 * signs new sessions; older keys keep signing the sessions that began with them until they are
 * removed (META-CLIENT-18, CONF-04). Immutable: rotate by building a new Keyset.
 */
export class Keyset {
  readonly keys: readonly ClientKey[];

  private constructor(keys: readonly ClientKey[]) {
    this.keys = keys;
  }

  /** Imports private ES256 JWKs (each with a unique `kid`). Throws `KEYSET_INVALID` on bad input. */
  static async from(privateJwks: readonly unknown[]): Promise<Keyset> {
    if (privateJwks.length === 0) throw keysetError('A keyset needs at least one private key.');
    const seen = new Set<string>();
    const keys: ClientKey[] = [];
    for (const [i, raw] of privateJwks.entries()) {
      const jwk = raw as Partial<PrivateClientJwk>;
      if (typeof jwk !== 'object' || jwk === null || jwk.kty !== 'EC' || jwk.crv !== 'P-256') {
        throw keysetError(`Key ${i} must be an EC P-256 JWK (ES256 is the algorithm ATProto requires).`);
      }
      if (typeof jwk.d !== 'string')
        throw keysetError(`Key ${i} has no private part "d"; the keyset signs, so it needs it.`);
      if (typeof jwk.kid !== 'string' || jwk.kid === '') throw keysetError(`Key ${i} needs a "kid" (CONF-02).`);
      if (seen.has(jwk.kid)) throw keysetError(`Two keys share the kid "${jwk.kid}"; kids must be unique.`);
      if (jwk.alg !== undefined && jwk.alg !== 'ES256')
        throw keysetError(`Key "${jwk.kid}" has alg ${jwk.alg}; use ES256.`);
      seen.add(jwk.kid);
      let privateKey: CryptoKey;
      try {
        privateKey = await crypto.subtle.importKey(
          'jwk',
          { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y, d: jwk.d },
          { name: 'ECDSA', namedCurve: 'P-256' },
          false,
          ['sign'],
        );
      } catch (cause) {
        throw new OAuthError('KEYSET_INVALID', `Key "${jwk.kid}" is not a valid P-256 private key.`, { cause });
      }
      keys.push({
        kid: jwk.kid,
        alg: 'ES256',
        privateKey,
        publicJwk: {
          kty: 'EC',
          crv: 'P-256',
          x: String(jwk.x),
          y: String(jwk.y),
          kid: jwk.kid,
          alg: 'ES256',
          use: 'sig',
        },
      });
    }
    return new Keyset(keys);
  }

  /** The key new sessions use: the last one. */
  get newest(): ClientKey {
    return this.keys[this.keys.length - 1] as ClientKey;
  }

  /** The key with this `kid`, or undefined once it has been retired. */
  get(kid: string): ClientKey | undefined {
    return this.keys.find((k) => k.kid === kid);
  }

  /** The document to serve as `jwks` / at `jwks_uri`: public members only. */
  get publicJwks(): { keys: PublicClientJwk[] } {
    return { keys: this.keys.map((k) => ({ ...k.publicJwk })) };
  }
}

/** A new ES256 private JWK with a `kid` (default: a timestamp-based id), for storing in config. */
export async function generateClientKey(options: { kid?: string } = {}): Promise<PrivateClientJwk> {
  const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair;
  const jwk = await crypto.subtle.exportKey('jwk', pair.privateKey);
  const kid = options.kid ?? `k${Date.now().toString(36)}`;
  return {
    kty: 'EC',
    crv: 'P-256',
    x: String(jwk.x),
    y: String(jwk.y),
    d: String(jwk.d),
    kid,
    alg: 'ES256',
    use: 'sig',
  };
}
