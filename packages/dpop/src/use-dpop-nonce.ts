import * as z from 'zod/mini';
import { dpopChallengeError } from './www-authenticate.js';

const MAX_ERROR_BODY = 16 * 1024;
const READ_TIMEOUT_MS = 5000;
const errorBody = z.object({ error: z.string() });

/** Reads at most `limit` bytes of a response body, within `timeoutMs`; undefined past either bound. */
async function readBounded(response: Response, limit: number, timeoutMs: number): Promise<string | undefined> {
  const reader = response.body?.getReader();
  if (!reader) return undefined;
  const chunks: Uint8Array[] = [];
  let size = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    for (;;) {
      const step = await Promise.race([reader.read(), timeout]);
      if (step === 'timeout') return undefined;
      if (step.done) break;
      size += step.value.byteLength;
      if (size > limit) return undefined;
      chunks.push(step.value);
    }
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
    reader.cancel().catch(() => {});
  }
  const all = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    all.set(c, offset);
    offset += c.byteLength;
  }
  return new TextDecoder().decode(all);
}

/**
 * True when a response asks for a (new) DPoP nonce, in either form: the authorization server's HTTP 400
 * JSON `{"error":"use_dpop_nonce"}` (NONCE-01) or the resource server's HTTP 401 with
 * `WWW-Authenticate: DPoP error="use_dpop_nonce"` (NONCE-02). Reads a clone, so the caller's body is
 * untouched; the JSON body is untrusted and bounded to 16 KiB and 5 s.
 */
export async function isUseDpopNonceError(response: Response): Promise<boolean> {
  if (response.status === 401) {
    // NONCE-10: only the DPoP challenge's error counts; a Bearer challenge is not a nonce request
    return dpopChallengeError(response.headers.get('www-authenticate')) === 'use_dpop_nonce';
  }
  if (response.status !== 400) return false;
  if (!/\bjson\b/i.test(response.headers.get('content-type') ?? '')) return false;
  if (response.bodyUsed) return false;
  const text = await readBounded(response.clone(), MAX_ERROR_BODY, READ_TIMEOUT_MS);
  if (text === undefined) return false;
  try {
    const parsed = errorBody.safeParse(JSON.parse(text));
    return parsed.success && parsed.data.error === 'use_dpop_nonce';
  } catch {
    return false;
  }
}
