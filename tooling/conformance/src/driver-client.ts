import type { z } from 'zod';
import {
  type AuthorizeRequest,
  authorizeResponseSchema,
  type ConfigureRequest,
  driverErrorSchema,
  infoResponseSchema,
  okResponseSchema,
  type ProxiedResponse,
  type RequestRequest,
  requestResponseSchema,
  type SessionInfo,
  sessionResponseSchema,
} from './driver-protocol.js';
import { ConformanceError } from './errors.js';

/** A driver's refusal of an operation (the client rejected something, or lacks the feature). */
export interface Refusal {
  refused: true;
  code: string;
  message: string;
}

export type Outcome<T> = ({ refused: false } & T) | Refusal;

const MAX_ANSWER = 2 * 1024 * 1024;

/** Talks to a driver over the JSON protocol, bounding time and size and validating every answer. */
export class DriverClient {
  readonly url: string;
  readonly timeoutMs: number;

  constructor(url: string, options: { timeoutMs?: number } = {}) {
    if (!URL.canParse(url)) throw new ConformanceError('INVALID_OPTIONS', `Driver URL "${url}" is not a URL.`);
    this.url = url.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  async #call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(`${this.url}${path}`, {
        method,
        ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      const timeout = (err as Error).name === 'TimeoutError';
      throw new ConformanceError(
        timeout ? 'DRIVER_TIMEOUT' : 'DRIVER_UNREACHABLE',
        timeout
          ? `Driver ${path} did not answer within ${this.timeoutMs} ms.`
          : `Driver at ${this.url} is unreachable (${(err as Error).message}); is it running?`,
        { cause: err },
      );
    }
    const text = await res.text();
    if (text.length > MAX_ANSWER)
      throw new ConformanceError('DRIVER_BAD_RESPONSE', `Driver ${path} answer is over 2 MiB.`);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new ConformanceError('DRIVER_BAD_RESPONSE', `Driver ${path} answered non-JSON (HTTP ${res.status}).`);
    }
    if (res.status >= 300 && !driverErrorSchema.safeParse(json).success) {
      throw new ConformanceError(
        'DRIVER_BAD_RESPONSE',
        `Driver ${path} answered HTTP ${res.status}: ${text.slice(0, 300)}`,
      );
    }
    return json;
  }

  async #op<S extends z.ZodType>(path: string, body: unknown, schema: S): Promise<Outcome<z.infer<S>>> {
    const json = await this.#call('POST', path, body);
    const refusal = driverErrorSchema.safeParse(json);
    if (refusal.success) {
      return { refused: true, code: refusal.data.error.code, message: refusal.data.error.message ?? '' };
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new ConformanceError(
        'DRIVER_BAD_RESPONSE',
        `Driver ${path} answer does not follow the protocol: ${parsed.error.message.slice(0, 500)}`,
      );
    }
    return { refused: false, ...(parsed.data as object) } as Outcome<z.infer<S>>;
  }

  async info(): Promise<{ name: string; version?: string }> {
    const parsed = infoResponseSchema.safeParse(await this.#call('GET', '/info'));
    if (!parsed.success)
      throw new ConformanceError('DRIVER_BAD_RESPONSE', 'Driver /info must answer {name, version?}.');
    return parsed.data;
  }

  configure(request: ConfigureRequest): Promise<Outcome<{ ok: true }>> {
    return this.#op('/configure', request, okResponseSchema);
  }

  authorize(request: AuthorizeRequest): Promise<Outcome<{ url: string }>> {
    return this.#op('/authorize', request, authorizeResponseSchema);
  }

  callback(query: string): Promise<Outcome<SessionInfo>> {
    return this.#op('/callback', { query }, sessionResponseSchema);
  }

  request(request: RequestRequest): Promise<Outcome<ProxiedResponse>> {
    return this.#op('/request', request, requestResponseSchema);
  }

  refresh(did: string): Promise<Outcome<SessionInfo>> {
    return this.#op('/refresh', { did }, sessionResponseSchema);
  }

  revoke(did: string): Promise<Outcome<{ ok: true }>> {
    return this.#op('/revoke', { did }, okResponseSchema);
  }

  session(did: string): Promise<Outcome<SessionInfo>> {
    return this.#op('/session', { did }, sessionResponseSchema);
  }
}
