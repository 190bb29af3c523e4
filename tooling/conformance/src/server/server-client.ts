import { createDpopProof, type DpopKey } from '@relay/dpop';

export interface ServerAnswer {
  status: number;
  headers: Headers;
  text: string;
  json?: Record<string, unknown>;
}

const MAX_BODY = 1024 * 1024;

/** One bounded HTTP exchange with the server under test; JSON is parsed when it is an object. */
export async function exchange(url: string, init: RequestInit = {}): Promise<ServerAnswer> {
  const res = await fetch(url, { redirect: 'manual', ...init, signal: AbortSignal.timeout(15_000) });
  const text = (await res.text()).slice(0, MAX_BODY);
  let json: Record<string, unknown> | undefined;
  try {
    const parsed = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) json = parsed;
  } catch {}
  return { status: res.status, headers: res.headers, text, ...(json ? { json } : {}) };
}

/** The per-origin nonce memory of the probing client. */
export class NonceBook {
  readonly #nonces = new Map<string, string>();
  get(url: string): string | undefined {
    return this.#nonces.get(new URL(url).origin);
  }
  remember(url: string, answer: ServerAnswer): void {
    const n = answer.headers.get('dpop-nonce');
    if (n) this.#nonces.set(new URL(url).origin, n);
  }
}

export function isNonceError(a: ServerAnswer): boolean {
  return a.json?.error === 'use_dpop_nonce' || (a.headers.get('www-authenticate') ?? '').includes('use_dpop_nonce');
}

export interface DpopRequest {
  key: DpopKey;
  method?: string;
  form?: Record<string, string>;
  accessToken?: string;
  /** Authorization scheme (DPoP unless testing Bearer refusal). */
  scheme?: string;
  /** Override the proof's htu (negative tests). */
  htu?: string;
  /** Send this exact proof (replay tests). */
  proof?: string;
  /** Skip the one nonce retry. */
  noRetry?: boolean;
}

/** A DPoP request as a well-behaved client sends it, with one nonce retry. Returns every answer and the last proof. */
export async function dpopRequest(
  book: NonceBook,
  url: string,
  r: DpopRequest,
): Promise<{ answers: ServerAnswer[]; last: ServerAnswer; proof: string }> {
  const method = r.method ?? (r.form ? 'POST' : 'GET');
  const answers: ServerAnswer[] = [];
  let proof = '';
  for (let attempt = 0; attempt < 2; attempt++) {
    const nonce = book.get(url);
    proof =
      r.proof ??
      (await createDpopProof(r.key, {
        htm: method,
        htu: r.htu ?? url,
        ...(nonce ? { nonce } : {}),
        ...(r.accessToken ? { accessToken: r.accessToken } : {}),
      }));
    const headers: Record<string, string> = { dpop: proof };
    if (r.form) headers['content-type'] = 'application/x-www-form-urlencoded';
    if (r.accessToken) headers.authorization = `${r.scheme ?? 'DPoP'} ${r.accessToken}`;
    const answer = await exchange(url, {
      method,
      headers,
      ...(r.form ? { body: new URLSearchParams(r.form).toString() } : {}),
    });
    answers.push(answer);
    book.remember(url, answer);
    if (!isNonceError(answer) || r.noRetry || r.proof) break;
  }
  return { answers, last: answers[answers.length - 1] as ServerAnswer, proof };
}
