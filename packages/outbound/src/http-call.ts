import { request, type Dispatcher } from 'undici';
import { deliveryErrorIn, networkError, redirectRefused } from './delivery-error';
import type { NetworkPolicy } from './network-policy';
import { MAX_ERROR_BODY_BYTES, MAX_SUCCESS_BODY_BYTES, readCapped } from './response-cap';

export interface HttpCall {
  method: Dispatcher.HttpMethod;
  headers: Record<string, string>;
  body?: string;
  /** Limit for connecting, for the headers and for each wait on the body. */
  timeoutMs: number;
  /** Cap of a success body when a call's answer is data by design (bulk results) [1 MB]. */
  maxSuccessBytes?: number;
}

export interface HttpAnswer {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  /** The body, up to 1 MB for a 2xx and 64 KB otherwise. */
  text: string;
  truncated: boolean;
}

/** Statuses that send a client elsewhere (300 and 304 do not: they are answers in their own right). */
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * One HTTP call through the policy's dispatcher: the address is vetted at connect time, a 3xx
 * answer is never followed (it fails, non-retryable, naming the status and the Location host),
 * and the body is read up to its cap. Network failures and the guard's refusal throw
 * DeliveryError; anything else undici throws is rethrown for the caller to classify.
 */
export async function httpCall(policy: NetworkPolicy, url: string, call: HttpCall): Promise<HttpAnswer> {
  let res: Dispatcher.ResponseData;
  try {
    res = await request(url, {
      method: call.method,
      headers: call.headers,
      body: call.body,
      dispatcher: policy.dispatcher,
      headersTimeout: call.timeoutMs,
      bodyTimeout: call.timeoutMs,
      signal: AbortSignal.timeout(call.timeoutMs),
    });
  } catch (err) {
    throw deliveryErrorIn(err) ?? networkError(err) ?? err;
  }
  const { statusCode, headers } = res;
  if (REDIRECTS.has(statusCode)) {
    await res.body.dump({ limit: MAX_ERROR_BODY_BYTES }).catch(() => undefined);
    throw redirectRefused(statusCode, first(headers.location));
  }
  const ok = statusCode >= 200 && statusCode < 300;
  const { text, truncated } = await readCapped(res.body, ok ? (call.maxSuccessBytes ?? MAX_SUCCESS_BODY_BYTES) : MAX_ERROR_BODY_BYTES);
  return { statusCode, headers, text, truncated };
}

export function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
