import { createMemoryReplayCache, DpopError, type ReplayCache, verifyDpopProof } from '@relay/dpop';
import { header, json, type MockRequest, type MockResponse, oauthError } from './http-server.js';
import type { NonceManager } from './nonce-manager.js';

export interface DpopCheckInput {
  req: MockRequest;
  /** The endpoint's public URL (htu). */
  url: string;
  nonces: NonceManager;
  replayCache: ReplayCache;
  /** Resource-server mode: the presented access token and the key it is bound to. */
  accessToken?: string;
  jkt?: string;
  /** AS answers in RFC 6749 JSON (400); RS answers 401 with WWW-Authenticate. */
  style: 'as' | 'rs';
}

export type DpopCheck =
  | { ok: true; jkt: string; claims: Record<string, unknown> }
  | { ok: false; response: MockResponse; reason: string };

export function newReplayCache(): ReplayCache {
  return createMemoryReplayCache({ max: 50_000 });
}

function rsChallenge(error: string, description: string, nonce?: string): MockResponse {
  return json(
    401,
    { error: error === 'use_dpop_nonce' ? 'UseDpopNonce' : 'InvalidToken', message: description },
    {
      'www-authenticate': `DPoP error="${error}", error_description="${description}", algs="ES256"`,
      ...(nonce ? { 'dpop-nonce': nonce } : {}),
    },
  );
}

/** Runs every DPoP server-side check (DPOP-SRV-01, -02, NONCE-08) and maps failures to answers. */
export async function checkDpop(input: DpopCheckInput): Promise<DpopCheck> {
  const { req, nonces, style } = input;
  const raw = req.headers.dpop;
  const values = raw === undefined ? [] : Array.isArray(raw) ? raw : String(raw).split(',');
  const fail = (error: string, description: string, nonce?: string): DpopCheck => ({
    ok: false,
    reason: description,
    response:
      style === 'as'
        ? oauthError(400, error, description, nonce ? { 'dpop-nonce': nonce } : {})
        : rsChallenge(error, description, nonce),
  });
  if (values.length === 0) return fail('invalid_dpop_proof', 'DPoP proof required (DPOP-09)');
  // DPOP-08: exactly one DPoP header.
  if (values.length > 1) return fail('invalid_dpop_proof', 'more than one DPoP header (DPOP-08)');
  try {
    const verified = await verifyDpopProof(String(values[0]).trim(), {
      htm: req.method,
      htu: input.url,
      nonce: (n: string) => nonces.accepts(n),
      replayCache: input.replayCache,
      ...(input.accessToken !== undefined ? { accessToken: input.accessToken } : {}),
      ...(input.jkt !== undefined ? { jkt: input.jkt } : {}),
    });
    return { ok: true, jkt: verified.jkt, claims: { ...verified.claims } };
  } catch (err) {
    if (err instanceof DpopError && (err.code === 'DPOP_NONCE_MISSING' || err.code === 'DPOP_NONCE_STALE')) {
      const description = `${style === 'as' ? 'Authorization' : 'Resource'} server requires nonce in DPoP proof`;
      return fail('use_dpop_nonce', description, nonces.next());
    }
    if (err instanceof DpopError) return fail('invalid_dpop_proof', `${err.code}: ${err.message}`);
    throw err;
  }
}

/** The `Authorization` header split into scheme and token. */
export function authorization(req: MockRequest): { scheme: string; token: string } | undefined {
  const value = header(req, 'authorization');
  const m = value?.match(/^(\S+)\s+(\S+)$/);
  return m ? { scheme: m[1] as string, token: m[2] as string } : undefined;
}
