/**
 * The one error a source module throws. At intake `status` is the HTTP answer; in a fetch job
 * `retryable` decides whether BullMQ tries again. Messages never carry a secret.
 */
export class SourceError extends Error {
  readonly status: number;
  readonly code: string;
  readonly retryable: boolean;
  readonly retryAfterMs?: number;

  constructor(opts: { status: number; code: string; message: string; retryable?: boolean; retryAfterMs?: number; cause?: unknown }) {
    super(opts.message, { cause: opts.cause });
    this.name = 'SourceError';
    this.status = opts.status;
    this.code = opts.code;
    this.retryable = opts.retryable ?? false;
    this.retryAfterMs = opts.retryAfterMs;
  }
}

export const invalidBody = (message: string, cause?: unknown) => new SourceError({ status: 400, code: 'INVALID_BODY', message, cause });
export const invalidSignature = (message: string) => new SourceError({ status: 401, code: 'INVALID_SIGNATURE', message });
export const unsupportedMediaType = (got: string | undefined, expected: string) =>
  new SourceError({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: `expected ${expected}, got ${got ?? 'none'}` });
