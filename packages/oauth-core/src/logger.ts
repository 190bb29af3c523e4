/**
 * The logger the client writes to. Pass your own (pino, console, …); the default drops
 * everything. Messages never contain tokens, keys or codes.
 */
export interface Logger {
  /** Detail for debugging a flow. */
  debug?(message: string, meta?: Record<string, unknown>): void;
  /** A normal event (a session refreshed, revoked). */
  info?(message: string, meta?: Record<string, unknown>): void;
  /** Something went wrong but was handled (a revocation that failed, a retry). */
  warn?(message: string, meta?: Record<string, unknown>): void;
  /** Something failed and the caller gets an error. */
  error?(message: string, meta?: Record<string, unknown>): void;
}

/**
 * The default logger: drops everything.
 *
 * @example
 * ```ts
 * const client = new OAuthClient({ metadata, identity, logger: silentLogger });
 * ```
 */
export const silentLogger: Logger = Object.freeze({});
