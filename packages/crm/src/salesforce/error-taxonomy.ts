import { DeliveryError, isRetryableStatus, networkError } from '@crm-push/outbound';

/**
 * Every Salesforce error code this adapter knows, and whether another attempt can succeed.
 * This is the one place that decides; codes not listed fall back to their HTTP status
 * (5xx and 429 retryable, any other 4xx not).
 */
const SALESFORCE_ERRORS: Record<string, { status: number; retryable: boolean }> = {
  // 401. The adapter refreshes the token and replays the call once per push (token-refresher.ts).
  // Seen here, a freshly refreshed token was refused too (or there was nothing to refresh with):
  // repeating cannot help, someone must reconnect the org.
  INVALID_SESSION_ID: { status: 401, retryable: false },
  // 403: the org's rolling 24-hour API limit or its concurrent long-request limit. Both recover.
  REQUEST_LIMIT_EXCEEDED: { status: 403, retryable: true },
  // Another transaction holds the record (or its parent) locked: usually gone in seconds.
  UNABLE_TO_LOCK_ROW: { status: 400, retryable: true },
  // Maintenance or overload.
  SERVER_UNAVAILABLE: { status: 503, retryable: true },
  // The record itself is wrong: the same payload fails the same way every time.
  REQUIRED_FIELD_MISSING: { status: 400, retryable: false },
  FIELD_CUSTOM_VALIDATION_EXCEPTION: { status: 400, retryable: false },
  DUPLICATES_DETECTED: { status: 400, retryable: false },
  INVALID_FIELD: { status: 400, retryable: false },
  STRING_TOO_LONG: { status: 400, retryable: false },
  INVALID_EMAIL_ADDRESS: { status: 400, retryable: false },
  // 300 on upsert: the external id matched several records; jsforce names it MULTIPLE_CHOICES.
  // Sending it again matches them again. DUPLICATE_EXTERNAL_ID is the Collections form.
  MULTIPLE_CHOICES: { status: 300, retryable: false },
  DUPLICATE_EXTERNAL_ID: { status: 400, retryable: false },
  // Wrong sObject, external id field or API version in the destination's config.
  NOT_FOUND: { status: 404, retryable: false },
  INVALID_TYPE: { status: 400, retryable: false },
  // The credentials cannot create or edit the sObject.
  INSUFFICIENT_ACCESS_OR_READONLY: { status: 403, retryable: false },
  // OAuth token endpoint (refresh): a revoked or expired refresh token, or a wrong connected app.
  invalid_grant: { status: 400, retryable: false },
  invalid_client_id: { status: 400, retryable: false },
  invalid_client: { status: 400, retryable: false },
  // The lead's data cannot make the record (e.g. no value for the external id field).
  MAPPING_ERROR: { status: 0, retryable: false },
};

/**
 * Turns anything jsforce or the transport throws into a DeliveryError whose `code` and `message` are
 * Salesforce's own. `statusCode` is the HTTP status of the failed answer when the caller saw it
 * (jsforce's errors do not carry it).
 */
export function classifyError(err: unknown, statusCode?: number): DeliveryError {
  if (err instanceof DeliveryError) return err;
  const network = networkError(err) ?? jsforceTimeout(err);
  if (network) return network;
  const code = vendorCode(err);
  if (code) return vendorError(code, (err as Error).message, statusCode, err);
  return new DeliveryError({ code: 'UNEXPECTED_ERROR', message: (err as Error)?.message ?? String(err), retryable: true, statusCode, cause: err });
}

/** A per-record failure inside an sObject Collections answer ({statusCode, message, fields}). */
export function classifySaveError(error: { statusCode?: string; errorCode?: string; message?: string; fields?: string[] } | undefined): DeliveryError {
  const code = error?.statusCode ?? error?.errorCode ?? 'UNKNOWN_ERROR';
  const meta = error?.fields?.length ? { fields: error.fields } : undefined;
  return vendorError(code, error?.message ?? 'Salesforce did not save the record', undefined, error, meta);
}

/** Builds the DeliveryError for a Salesforce (or OAuth) error code. */
export function vendorError(code: string, message: string, statusCode: number | undefined, cause?: unknown, meta?: Record<string, unknown>): DeliveryError {
  const known = SALESFORCE_ERRORS[code];
  const status = statusCode ?? known?.status ?? httpStatusIn(code);
  const retryable = known ? known.retryable : status !== undefined && isRetryableStatus(status);
  return new DeliveryError({ code, message, retryable, statusCode: status || undefined, cause, meta });
}

/** jsforce's HttpApiError has `errorCode`; its OAuth errors put the OAuth `error` in `name`. */
function vendorCode(err: unknown): string | undefined {
  const e = err as { errorCode?: unknown; name?: unknown } | null;
  if (typeof e?.errorCode === 'string') return e.errorCode;
  if (typeof e?.name === 'string' && (e.name in SALESFORCE_ERRORS || httpStatusIn(e.name))) return e.name;
  return undefined;
}

/** jsforce names bodies it cannot parse ERROR_HTTP_<status>. */
function httpStatusIn(code: string): number | undefined {
  const m = /^ERROR_HTTP_(\d{3})$/.exec(code);
  return m ? Number(m[1]) : undefined;
}

/** jsforce's own timeout guard throws a bare Error('Request Timeout') when the abort lost the race. */
function jsforceTimeout(err: unknown): DeliveryError | undefined {
  if ((err as Error)?.message !== 'Request Timeout') return undefined;
  return new DeliveryError({ code: 'TIMEOUT', message: 'the destination did not answer in time', retryable: true, cause: err });
}
