export { computeChallenge } from './compute-challenge.js';
export { PkceError, type PkceErrorCode } from './errors.js';
export { type GeneratePkceOptions, generatePkce, type Pkce } from './generate-pkce.js';
export { assertVerifierSyntax, VERIFIER_MAX_LENGTH, VERIFIER_MIN_LENGTH } from './verifier-syntax.js';
export { type VerifyPkceInput, verifyPkce } from './verify-pkce.js';
