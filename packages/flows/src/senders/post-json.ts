import { request } from 'undici';
import { assertUrlAllowed, CrmError, crmErrorIn, networkError, outboundDispatcher, parseRetryAfter } from '@crm-push/crm';
import { DEFAULT_TIMEOUT_MS, type SendContext, type SendResult } from './send-context';

/** How much of an error response is kept for the attempt log: enough for Slack's "invalid_payload". */
const SNIPPET_LENGTH = 200;

/**
 * POSTs a JSON body and classifies the answer by the project's retry rule: 2xx succeeds; 429
 * (honouring Retry-After) and 5xx retry; any other status fails for good; a refused, reset or
 * timed-out connection retries. The URL must pass the private-network guard first. `label`
 * names the receiver in messages; the URL never appears, since a Slack webhook URL is itself a
 * credential.
 */
export async function postJson(label: string, url: string, body: string, headers: Record<string, string>, ctx: SendContext): Promise<SendResult> {
  const allowPrivateNetworks = ctx.allowPrivateNetworks ?? false;
  await assertUrlAllowed(url, { allowPrivateNetworks });
  const timeoutMs = ctx.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let res: Awaited<ReturnType<typeof request>>;
  try {
    res = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'crm-push', ...headers },
      body,
      // Vets the address again at connect time (DNS may answer differently than it did above).
      dispatcher: outboundDispatcher(allowPrivateNetworks),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    throw crmErrorIn(err) ?? networkError(err) ?? requestFailed(label, err);
  }
  const status = res.statusCode;
  if (status >= 200 && status < 300) {
    await res.body.dump().catch(() => undefined);
    return { statusCode: status };
  }
  throw statusError(label, status, header(res.headers['retry-after']), await snippet(res.body));
}

function statusError(label: string, status: number, retryAfter: string | undefined, text: string): CrmError {
  const message = `${label} answered ${status}${text ? `: ${text}` : ''}`;
  if (status === 429) {
    return new CrmError({ code: 'RATE_LIMITED', message, retryable: true, statusCode: status, retryAfterMs: parseRetryAfter(retryAfter) });
  }
  if (status >= 500) return new CrmError({ code: 'SERVER_ERROR', message, retryable: true, statusCode: status });
  const code = status >= 400 ? 'CLIENT_ERROR' : 'UNEXPECTED_STATUS';
  return new CrmError({ code, message, retryable: false, statusCode: status });
}

/** Anything else undici throws (a malformed URL, a TLS certificate problem) will not heal by waiting. */
function requestFailed(label: string, err: unknown): CrmError {
  return new CrmError({ code: 'REQUEST_FAILED', message: `${label} request failed: ${(err as Error).message}`, retryable: false, cause: err });
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The start of an error body, read only as far as needed, on one line. */
async function snippet(body: AsyncIterable<Buffer> & { destroy(): unknown }): Promise<string> {
  let text = '';
  try {
    for await (const chunk of body) {
      text += chunk.toString('utf8');
      if (text.length >= SNIPPET_LENGTH) break;
    }
  } catch {
    // A body that breaks off still leaves the status to report.
  } finally {
    body.destroy();
  }
  return text.slice(0, SNIPPET_LENGTH).replace(/\s+/g, ' ').trim();
}
