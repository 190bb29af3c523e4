/** Algorithms `generateDpopKey` can create keys for. ES256 is the one ATProto requires (DPOP-01). */
export type DpopKeyAlg = 'ES256' | 'ES384' | 'ES512';

/** Algorithms `verifyDpopProof` can check (asymmetric only: never `none`, never HMAC — DPOP-03). */
export type DpopVerifyAlg = DpopKeyAlg | 'PS256' | 'PS384' | 'PS512' | 'RS256' | 'RS384' | 'RS512';

export interface EcAlgInfo {
  readonly kty: 'EC';
  readonly crv: 'P-256' | 'P-384' | 'P-521';
  readonly hash: 'SHA-256' | 'SHA-384' | 'SHA-512';
  /** byte length of the JWS (IEEE P1363, r‖s) signature — DPOP-10 */
  readonly signatureLength: number;
  /** byte length of each coordinate */
  readonly coordLength: number;
}

export interface RsaAlgInfo {
  readonly kty: 'RSA';
  readonly name: 'RSA-PSS' | 'RSASSA-PKCS1-v1_5';
  readonly hash: 'SHA-256' | 'SHA-384' | 'SHA-512';
  readonly saltLength: number;
}

export const EC_ALGS: Readonly<Record<DpopKeyAlg, EcAlgInfo>> = {
  ES256: { kty: 'EC', crv: 'P-256', hash: 'SHA-256', signatureLength: 64, coordLength: 32 },
  ES384: { kty: 'EC', crv: 'P-384', hash: 'SHA-384', signatureLength: 96, coordLength: 48 },
  ES512: { kty: 'EC', crv: 'P-521', hash: 'SHA-512', signatureLength: 132, coordLength: 66 },
};

export const RSA_ALGS: Readonly<Record<Exclude<DpopVerifyAlg, DpopKeyAlg>, RsaAlgInfo>> = {
  PS256: { kty: 'RSA', name: 'RSA-PSS', hash: 'SHA-256', saltLength: 32 },
  PS384: { kty: 'RSA', name: 'RSA-PSS', hash: 'SHA-384', saltLength: 48 },
  PS512: { kty: 'RSA', name: 'RSA-PSS', hash: 'SHA-512', saltLength: 64 },
  RS256: { kty: 'RSA', name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', saltLength: 0 },
  RS384: { kty: 'RSA', name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-384', saltLength: 0 },
  RS512: { kty: 'RSA', name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-512', saltLength: 0 },
};

export function isKeyAlg(alg: unknown): alg is DpopKeyAlg {
  return typeof alg === 'string' && Object.hasOwn(EC_ALGS, alg);
}

export function isVerifyAlg(alg: unknown): alg is DpopVerifyAlg {
  return typeof alg === 'string' && (Object.hasOwn(EC_ALGS, alg) || Object.hasOwn(RSA_ALGS, alg));
}
