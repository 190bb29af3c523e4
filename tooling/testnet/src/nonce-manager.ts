import { randomBytes } from 'node:crypto';

/**
 * A server's DPoP nonces (NONCE-08): unpredictable, rotated on demand or every `rotateEvery`
 * requests; the current and the previous nonce are accepted, as the spec recommends.
 */
export class NonceManager {
  #current = randomBytes(16).toString('base64url');
  #previous: string | undefined;
  #count = 0;
  /** Rotate after this many issued nonces (0 = never automatically). */
  rotateEvery = 0;
  /** Accept the previous nonce too (a strict fault can turn this off). */
  acceptPrevious = true;
  /** Refuse every nonce (a fault: the server keeps demanding a new one). */
  rejectAll = false;

  rotate(): void {
    this.#previous = this.#current;
    this.#current = randomBytes(16).toString('base64url');
  }

  /** The nonce to send in the next response's `DPoP-Nonce` header. */
  next(): string {
    this.#count++;
    if (this.rotateEvery > 0 && this.#count % this.rotateEvery === 0) this.rotate();
    return this.#current;
  }

  accepts(nonce: string): boolean {
    if (this.rejectAll) return false;
    return nonce === this.#current || (this.acceptPrevious && nonce === this.#previous);
  }
}
