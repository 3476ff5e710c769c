/**
 * The one error type every outbound call throws: CRM adapters and flow senders alike. `retryable` decides whether BullMQ tries again;
 * `retryAfterMs` (a vendor's Retry-After) feeds the backoff strategy.
 */
export class DeliveryError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  readonly statusCode?: number;
  readonly retryAfterMs?: number;
  /** Vendor facts worth keeping on the attempt row, e.g. rate-limit headers. Never secrets. */
  readonly meta?: Record<string, unknown>;

  constructor(opts: {
    code: string;
    message: string;
    retryable: boolean;
    statusCode?: number;
    retryAfterMs?: number;
    meta?: Record<string, unknown>;
    cause?: unknown;
  }) {
    super(opts.message, { cause: opts.cause });
    this.name = 'DeliveryError';
    this.code = opts.code;
    this.retryable = opts.retryable;
    this.statusCode = opts.statusCode;
    this.retryAfterMs = opts.retryAfterMs;
    this.meta = opts.meta;
  }
}

/** Statuses any HTTP destination may answer that are worth another try. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/** Parses a Retry-After header (seconds or HTTP date) into milliseconds. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Node's network failures (refused, reset, DNS, timeouts) — always worth a retry. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);

/** What an error in a cause chain may carry; transports attach any of these. */
interface ErrorLike {
  code?: unknown;
  name?: unknown;
  message?: unknown;
  cause?: unknown;
}

/**
 * The DeliveryError an error is or wraps: transports wrap what a socket's guarded lookup refused
 * (undici as the cause; node-fetch keeps only its code and message, after "reason: ").
 */
export function deliveryErrorIn(err: unknown): DeliveryError | undefined {
  for (let e = err as ErrorLike | undefined, depth = 0; e && depth < 5; e = e.cause as ErrorLike | undefined, depth++) {
    if (e instanceof DeliveryError) return e;
    if (e.code === 'DESTINATION_NOT_ALLOWED') {
      return new DeliveryError({ code: e.code, message: String(e.message).replace(/^.*reason: /, ''), retryable: false, cause: err });
    }
  }
  return undefined;
}

/** Finds a Node/undici network error code anywhere in an error's cause chain. */
export function networkErrorCode(err: unknown): string | undefined {
  for (let e = err as ErrorLike | undefined, depth = 0; e && depth < 5; e = e.cause as ErrorLike | undefined, depth++) {
    if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return e.code;
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return 'TIMEOUT';
  }
  return undefined;
}

/** Turns a network failure into a retryable DeliveryError, or returns undefined if it is not one. */
export function networkError(err: unknown): DeliveryError | undefined {
  const code = networkErrorCode(err);
  if (!code) return undefined;
  const timedOut = code === 'TIMEOUT' || code.includes('TIMEOUT') || code === 'ETIMEDOUT';
  return new DeliveryError({
    code: timedOut ? 'TIMEOUT' : code === 'ECONNREFUSED' ? 'CONNECTION_REFUSED' : 'NETWORK_ERROR',
    message: timedOut ? 'the destination did not answer in time' : `network error (${code}): ${(err as Error).message}`,
    retryable: true,
    cause: err,
  });
}

/** A 3xx answer: never followed (the target was never vetted and would receive our credentials). */
export function redirectRefused(status: number, location: string | undefined): DeliveryError {
  let host = 'no location';
  try {
    if (location) host = `"${new URL(location, 'http://relative.invalid').host}"`;
  } catch {
    host = 'an unreadable location';
  }
  if (host === '"relative.invalid"') host = 'the same host';
  return new DeliveryError({
    code: 'REDIRECT_NOT_FOLLOWED',
    message: `destination answered ${status} redirecting to ${host}; redirects are not followed (configure the final URL)`,
    retryable: false,
    statusCode: status,
  });
}
