/**
 * The logger the client writes to. Pass your own (pino, console, …); the default drops
 * everything. Messages never contain tokens, keys or codes.
 */
export interface Logger {
  debug?(message: string, meta?: Record<string, unknown>): void;
  info?(message: string, meta?: Record<string, unknown>): void;
  warn?(message: string, meta?: Record<string, unknown>): void;
  error?(message: string, meta?: Record<string, unknown>): void;
}

export const silentLogger: Logger = Object.freeze({});
