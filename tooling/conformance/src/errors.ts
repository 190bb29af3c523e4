/** Stable error codes of the conformance suite. */
export type ConformanceErrorCode =
  | 'DRIVER_UNREACHABLE'
  | 'DRIVER_TIMEOUT'
  | 'DRIVER_BAD_RESPONSE'
  | 'SERVER_UNREACHABLE'
  | 'SERVER_BAD_RESPONSE'
  | 'INVALID_OPTIONS'
  | 'UNKNOWN_SCENARIO'
  | 'REPORT_WRITE_FAILED'
  | 'PEER_MISSING';

/** Every error the suite throws: switch on `code`, show `message` to people. */
export class ConformanceError extends Error {
  readonly code: ConformanceErrorCode;

  constructor(code: ConformanceErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConformanceError';
    this.code = code;
  }
}
