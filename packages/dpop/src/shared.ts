// Everything that does not depend on the platform; index.ts (WebCrypto) and index.node.ts
// (node:crypto) add the key factories on top.
export type { DpopKeyAlg, DpopVerifyAlg } from './algorithms.js';
export { computeAth } from './compute-ath.js';
export {
  type CreateDpopFetchOptions,
  createDpopFetch,
  type DpopLogger,
  type FetchLike,
} from './create-dpop-fetch.js';
export { type CreateDpopProofOptions, createDpopProof } from './create-dpop-proof.js';
export {
  type DpopCryptoKeyPair,
  type DpopKey,
  type DpopPrivateJwk,
  type DpopPublicJwk,
  type DpopStoredKey,
  exportDpopCryptoKey,
  exportDpopKey,
  type GenerateDpopKeyOptions,
  isDpopCryptoKeyPair,
} from './dpop-key.js';
export { DpopError, type DpopErrorCode } from './errors.js';
export { htuOf } from './htu.js';
export { jwkThumbprint } from './jwk-thumbprint.js';
export {
  type CoalescingNonceStore,
  createMemoryNonceStore,
  type MemoryNonceStoreOptions,
  NONCE_GATE,
  type NonceGate,
  type NonceStore,
  withNonceCoalescing,
} from './nonce-store.js';
export { createMemoryReplayCache, type MemoryReplayCacheOptions, type ReplayCache } from './replay-cache.js';
export { isUseDpopNonceError } from './use-dpop-nonce.js';
export {
  type DpopClaims,
  type VerifiedDpopProof,
  type VerifyDpopProofOptions,
  verifyDpopProof,
} from './verify-dpop-proof.js';
export { type AuthChallenge, dpopChallengeError, parseWwwAuthenticate } from './www-authenticate.js';
