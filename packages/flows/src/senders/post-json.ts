import { DeliveryError, httpCall, parseRetryAfter, first } from '@crm-push/outbound';
import { DEFAULT_TIMEOUT_MS, type SendContext, type SendResult } from './send-context';

/** How much of an error response is kept for the attempt log: enough for Slack's "invalid_payload". */
const SNIPPET_LENGTH = 200;

/**
 * POSTs a JSON body and classifies the answer by the project's retry rule: 2xx succeeds; 429
 * (honouring Retry-After) and 5xx retry; a 3xx (never followed) and any other status fail for
 * good; a refused, reset or timed-out connection retries. The URL must pass the network policy
 * first. `label` names the receiver in messages; the URL never appears, since a Slack webhook
 * URL is itself a credential.
 */
export async function postJson(label: string, url: string, body: string, headers: Record<string, string>, ctx: SendContext): Promise<SendResult> {
  await ctx.network.assertUrlAllowed(url);
  const timeoutMs = ctx.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let res;
  try {
    res = await httpCall(ctx.network, url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'crm-push', ...headers },
      body,
      timeoutMs,
    });
  } catch (err) {
    if (err instanceof DeliveryError) throw relabel(label, err);
    throw requestFailed(label, err);
  }
  const status = res.statusCode;
  if (status >= 200 && status < 300) return { statusCode: status };
  throw statusError(label, status, first(res.headers['retry-after']), snippet(res.text));
}

function statusError(label: string, status: number, retryAfter: string | undefined, text: string): DeliveryError {
  const message = `${label} answered ${status}${text ? `: ${text}` : ''}`;
  if (status === 429) {
    return new DeliveryError({ code: 'RATE_LIMITED', message, retryable: true, statusCode: status, retryAfterMs: parseRetryAfter(retryAfter) });
  }
  if (status >= 500) return new DeliveryError({ code: 'SERVER_ERROR', message, retryable: true, statusCode: status });
  const code = status >= 400 ? 'CLIENT_ERROR' : 'UNEXPECTED_STATUS';
  return new DeliveryError({ code, message, retryable: false, statusCode: status });
}

/** A refused redirect names the receiver ("Slack answered 302 …"), like the other answers. */
function relabel(label: string, err: DeliveryError): DeliveryError {
  if (err.code !== 'REDIRECT_NOT_FOLLOWED') return err;
  return new DeliveryError({ code: err.code, message: err.message.replace(/^destination/, label), retryable: false, statusCode: err.statusCode });
}

/** Anything else undici throws (a malformed URL, a TLS certificate problem) will not heal by waiting. */
function requestFailed(label: string, err: unknown): DeliveryError {
  return new DeliveryError({ code: 'REQUEST_FAILED', message: `${label} request failed: ${(err as Error).message}`, retryable: false, cause: err });
}

/** The start of an error body, on one line. */
function snippet(text: string): string {
  return text
    .slice(0, SNIPPET_LENGTH * 2)
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, SNIPPET_LENGTH);
}
