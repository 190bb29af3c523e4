import { createHash } from 'node:crypto';
import type { LoggedRequest } from '@relay/testnet';
import { decodeJwt, decodeProtectedHeader } from 'jose';

/** A decoded JWT (DPoP proof or client assertion), or undefined when it is not one. */
export interface DecodedJwt {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  signatureBytes: number;
}

export function decodeJwtParts(jwt: string): DecodedJwt | undefined {
  try {
    const parts = jwt.split('.');
    return {
      header: decodeProtectedHeader(jwt) as Record<string, unknown>,
      claims: decodeJwt(jwt) as Record<string, unknown>,
      signatureBytes: Buffer.from(parts[2] ?? '', 'base64url').length,
    };
  } catch {
    return undefined;
  }
}

/** The proofs of a logged request (raw headers, decoded). */
export function proofs(r: LoggedRequest): DecodedJwt[] {
  return r.dpopHeaders
    .flatMap((h) => h.split(','))
    .map((h) => decodeJwtParts(h.trim()) ?? { header: {}, claims: {}, signatureBytes: 0 });
}

export function firstProof(r: LoggedRequest): DecodedJwt | undefined {
  return proofs(r)[0];
}

export function s256(value: string): string {
  return createHash('sha256').update(value, 'ascii').digest('base64url');
}

/** The single value of a form field, or undefined if absent or repeated. */
export function field(r: LoggedRequest | undefined, name: string): string | undefined {
  const values = r?.form?.[name];
  return values && values.length === 1 ? values[0] : undefined;
}

/** Requests a client sent carrying a DPoP proof, in order (AS POSTs and authenticated PDS calls). */
export function dpopRequests(log: readonly LoggedRequest[]): LoggedRequest[] {
  return log.filter((r) => r.dpopHeaders.length > 0);
}

/** Does the request's htu equal `origin + path` (no query, no fragment)? */
export function htuMatches(r: LoggedRequest, origin: string): boolean {
  const htu = firstProof(r)?.claims.htu;
  return typeof htu === 'string' && htu === `${origin}${r.path}`;
}

export function isUseDpopNonce(r: LoggedRequest): boolean {
  return r.error === 'use_dpop_nonce' || r.error === 'UseDpopNonce';
}
