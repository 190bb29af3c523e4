/** Stable machine-readable codes for every way a DPoP operation can fail. */
export type DpopErrorCode =
  // verification: each code names exactly the check that failed (DPOP-SRV-01)
  | 'DPOP_MALFORMED'
  | 'DPOP_TYP_INVALID'
  | 'DPOP_ALG_UNSUPPORTED'
  | 'DPOP_JWK_INVALID'
  | 'DPOP_JWK_PRIVATE'
  | 'DPOP_SIGNATURE_INVALID'
  | 'DPOP_HTM_MISMATCH'
  | 'DPOP_HTU_MISMATCH'
  | 'DPOP_IAT_OUT_OF_WINDOW'
  | 'DPOP_JTI_REPLAY'
  | 'DPOP_NONCE_MISSING'
  | 'DPOP_NONCE_STALE'
  | 'DPOP_ATH_MISMATCH'
  | 'DPOP_JKT_MISMATCH'
  // keys, options and requests
  | 'DPOP_KEY_INVALID'
  | 'DPOP_INVALID_OPTIONS'
  | 'DPOP_REQUEST_INVALID';

/**
 * The one error class `@relay/dpop` throws. Switch on `code`; `message` is for people
 * and says what to fix.
 */
export class DpopError extends Error {
  override readonly name = 'DpopError';
  readonly code: DpopErrorCode;

  constructor(code: DpopErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
