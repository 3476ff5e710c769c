import { DeliveryError, deliveryErrorIn, networkError, parseRetryAfter } from '@crm-push/outbound';
import { rateLimitMeta } from './rate-limit-headers';

/**
 * HubSpot's daily budget resets at midnight in the portal's own time zone, which we do not know.
 * Retrying sooner only burns attempts; an hour is long enough that the queue's quick retries give
 * up and the scheduled sweep tries again later, and short enough to resume soon after the reset.
 */
export const DAILY_LIMIT_RETRY_AFTER_MS = 60 * 60 * 1000;

/** Used when a short-window 429 says nothing about when to come back: one full window. */
const TEN_SECONDLY_FALLBACK_MS = 10_000;
const SECONDLY_FALLBACK_MS = 1_000;

/** Per-record categories in batch answers that a later try can fix; the rest are about the record. */
const RETRYABLE_RECORD_CATEGORIES = new Set(['RATE_LIMITS', 'INTERNAL_ERROR', 'SERVICE_UNAVAILABLE']);

interface HubSpotErrorBody {
  message?: string;
  category?: string;
  policyName?: string;
}

/**
 * Every SDK or transport failure → DeliveryError. The whole taxonomy, in one place:
 *
 * | HubSpot answers                        | code                      | retryable | retryAfterMs                       |
 * |----------------------------------------|---------------------------|-----------|------------------------------------|
 * | 429 policyName TEN_SECONDLY_ROLLING    | RATE_LIMIT_TEN_SECONDLY   | yes       | Retry-After, else interval header  |
 * | 429 policyName SECONDLY                | RATE_LIMIT_SECONDLY       | yes       | Retry-After, else 1 s              |
 * | 429 policyName DAILY                   | RATE_LIMIT_DAILY          | yes       | 1 h: the sweep picks it up later   |
 * | 429 other                              | RATE_LIMITED              | yes       | Retry-After, else 10 s             |
 * | 5xx                                    | category, else HTTP_5xx   | yes       | Retry-After if sent                |
 * | 401 (bad, expired, revoked token)      | INVALID_AUTHENTICATION    | no        |                                    |
 * | any other 4xx (400 VALIDATION_ERROR,   | category, else HTTP_4xx   | no        |                                    |
 * |   403 MISSING_SCOPES, 404, 409 …)      |                           |           |                                    |
 * | refused, reset, DNS, timeout           | CONNECTION_REFUSED /      | yes       |                                    |
 * |                                        | NETWORK_ERROR / TIMEOUT   |           |                                    |
 * | anything else (a bug, an SDK refusal)  | HUBSPOT_CLIENT_ERROR      | no        |                                    |
 *
 * The message is HubSpot's own; the rate-limit headers go in `meta` (kept on the attempt row).
 */
export function classifyHubSpotError(err: unknown): DeliveryError {
  const known = deliveryErrorIn(err); // ours, or the connect-time network guard's refusal
  if (known) return known;
  const status = httpStatusOf(err);
  if (status === undefined) {
    return networkError(err) ?? new DeliveryError({ code: 'HUBSPOT_CLIENT_ERROR', message: messageOf(err), retryable: false, cause: err });
  }
  const { headers } = err as { headers?: Record<string, string> };
  const body = errorBody(err);
  const meta = rateLimitMeta(headers);
  const message = body.message || `HubSpot answered HTTP ${status}`;
  const common = { message, statusCode: status, cause: err };
  if (status === 429) return rateLimitError(body, headers, meta, common);
  const code = body.category || `HTTP_${status}`;
  if (status >= 500) {
    return new DeliveryError({ ...common, code, retryable: true, retryAfterMs: parseRetryAfter(headers?.['retry-after']), meta });
  }
  if (status === 401) return new DeliveryError({ ...common, code: body.category || 'INVALID_AUTHENTICATION', retryable: false, meta });
  return new DeliveryError({ ...common, code, retryable: false, meta });
}

function rateLimitError(
  body: HubSpotErrorBody,
  headers: Record<string, string> | undefined,
  meta: Record<string, string> | undefined,
  common: { message: string; statusCode: number; cause: unknown },
): DeliveryError {
  const policy = body.policyName;
  const withPolicy = { ...meta, ...(policy ? { policyName: policy } : {}) };
  if (policy === 'DAILY') {
    return new DeliveryError({ ...common, code: 'RATE_LIMIT_DAILY', retryable: true, retryAfterMs: DAILY_LIMIT_RETRY_AFTER_MS, meta: withPolicy });
  }
  const secondly = policy === 'SECONDLY';
  const interval = Number(headers?.['x-hubspot-ratelimit-interval-milliseconds']);
  const retryAfterMs =
    parseRetryAfter(headers?.['retry-after']) ??
    (Number.isFinite(interval) && interval > 0 ? interval : secondly ? SECONDLY_FALLBACK_MS : TEN_SECONDLY_FALLBACK_MS);
  const code = policy === 'TEN_SECONDLY_ROLLING' ? 'RATE_LIMIT_TEN_SECONDLY' : secondly ? 'RATE_LIMIT_SECONDLY' : 'RATE_LIMITED';
  return new DeliveryError({ ...common, code, retryable: true, retryAfterMs, meta: withPolicy });
}

/** One failed record inside a 207 batch answer (a StandardError). */
export function classifyRecordError(e: { category?: string; message?: string }): DeliveryError {
  const code = e.category || 'BATCH_RECORD_ERROR';
  return new DeliveryError({ code, message: e.message || 'HubSpot refused this record', retryable: RETRYABLE_RECORD_CATEGORIES.has(code) });
}

/** ApiException carries the HTTP status as a numeric `code` (Node's errors use strings). */
function httpStatusOf(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' && code >= 100 && code < 600 ? code : undefined;
}

/** HubSpot's error JSON as the SDK parsed it (a string when the body was not JSON). */
function errorBody(err: unknown): HubSpotErrorBody {
  const source = (err as { body?: unknown }).body as Record<string, unknown> | undefined;
  if (!source || typeof source !== 'object') return {};
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return { message: str(source.message), category: str(source.category), policyName: str(source.policyName) };
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
