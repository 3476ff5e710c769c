import {
  deliveryErrorIn,
  DeliveryError,
  first,
  httpCall,
  isRetryableStatus,
  networkError,
  parseRetryAfter,
  standardWebhookHeaders,
  type HttpCall,
  type NetworkPolicy,
} from '@crm-push/outbound';
import type { CrmAdapter, MappedRecord, PushContext, PushManyResult, PushResult, TestResult } from '../contract';
import { authHeaders, type CustomConfig, type CustomCredentials } from './config';

const MAX_ERROR_BODY = 300;

export class CustomAdapter implements CrmAdapter {
  constructor(
    private readonly config: CustomConfig,
    private readonly credentials: CustomCredentials,
    private readonly network: NetworkPolicy,
  ) {}

  async push(record: MappedRecord, ctx: PushContext): Promise<PushResult> {
    const body = JSON.stringify(record);
    const idempotencyKey = ctx.idempotencyKey ?? ctx.deliveryId;
    const headers: Record<string, string> = {
      ...lowercaseKeys(this.config.headers),
      ...authHeaders(this.credentials),
      'content-type': 'application/json',
      'idempotency-key': idempotencyKey,
    };
    if (this.credentials.signingSecret) Object.assign(headers, standardWebhookHeaders(this.credentials.signingSecret, idempotencyKey, body));
    const res = await this.call(this.config.method, headers, body);
    if (res.statusCode >= 200 && res.statusCode < 300) {
      return { externalId: externalIdOf(res.text), action: res.statusCode === 200 ? 'updated' : 'created', statusCode: res.statusCode };
    }
    throw httpError(res.statusCode, res.text, res.headers);
  }

  async pushMany(items: { record: MappedRecord; ctx: PushContext }[]): Promise<PushManyResult[]> {
    // A custom endpoint has no batch API: one call per record, in parallel.
    return Promise.all(
      items.map(({ record, ctx }) =>
        this.push(record, ctx).then(
          (result): PushManyResult => ({ ok: true, result }),
          (err): PushManyResult => ({ ok: false, error: classifyCustomError(err) }),
        ),
      ),
    );
  }

  /** HEAD with the destination's auth: proves reachability and that the credentials are not refused. */
  async test(): Promise<TestResult> {
    const started = performance.now();
    const latency = () => Math.round(performance.now() - started);
    try {
      const res = await this.call('HEAD', { ...lowercaseKeys(this.config.headers), ...authHeaders(this.credentials) });
      // 405: reachable and not refusing our credentials, it just wants the real method.
      if ((res.statusCode >= 200 && res.statusCode < 300) || res.statusCode === 405) {
        return { ok: true, latencyMs: latency(), statusCode: res.statusCode };
      }
      const error = httpError(res.statusCode, '', res.headers);
      return { ok: false, latencyMs: latency(), statusCode: res.statusCode, error: { code: error.code, message: error.message } };
    } catch (err) {
      const error = classifyCustomError(err);
      return { ok: false, latencyMs: latency(), error: { code: error.code, message: error.message } };
    }
  }

  private async call(method: HttpCall['method'], headers: Record<string, string>, body?: string) {
    try {
      return await httpCall(this.network, this.config.url, { method, headers, body, timeoutMs: this.config.timeoutMs });
    } catch (err) {
      throw classifyCustomError(err);
    }
  }
}

export function classifyCustomError(err: unknown): DeliveryError {
  const refused = deliveryErrorIn(err); // e.g. the connect-time network guard's refusal
  if (refused) return refused;
  return networkError(err) ?? new DeliveryError({ code: 'UNEXPECTED_ERROR', message: (err as Error)?.message ?? String(err), retryable: true, cause: err });
}

function httpError(status: number, body: string, headers: Record<string, string | string[] | undefined>): DeliveryError {
  const snippet = body.length > MAX_ERROR_BODY ? `${body.slice(0, MAX_ERROR_BODY)}…` : body;
  const code = status === 401 || status === 403 ? 'UNAUTHORIZED' : `HTTP_${status}`;
  return new DeliveryError({
    code,
    message: `destination answered ${status}${snippet ? `: ${snippet}` : ''}`,
    retryable: isRetryableStatus(status),
    statusCode: status,
    retryAfterMs: status === 429 ? parseRetryAfter(first(headers['retry-after'])) : undefined,
  });
}

/** The destination's record id, when it answers JSON with one. */
function externalIdOf(text: string): string | null {
  try {
    const parsed = JSON.parse(text);
    const id = parsed?.id ?? parsed?.data?.id;
    return id === undefined || id === null ? null : String(id);
  } catch {
    return null;
  }
}

function lowercaseKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}
