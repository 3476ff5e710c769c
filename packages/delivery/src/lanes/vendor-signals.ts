import type { PushResult } from '@crm-push/crm';
import type { DeliveryError } from '@crm-push/outbound';
import { SALESFORCE_DAILY_SHARE } from './lane-limits';

/** A wait the vendor imposed on the whole lane. */
export interface LaneHold {
  forMs: number;
  reason: 'RATE_LIMITED' | 'DAILY_LIMIT';
  /** When the wait is over, one call checks before the rest follow (the vendor's reset time is unknown). */
  probe: boolean;
}

/** What one answer tells the lane, beyond the delivery's own outcome. */
export interface LaneSignal {
  /** The burst limit the vendor reports (X-HubSpot-RateLimit-Max / -Interval-Milliseconds). */
  learned?: { max: number; intervalMs: number };
  hold?: LaneHold;
}

/** How a failed call counts for the lane. */
export type FailureKind =
  /** The vendor throttled us: the lane waits, the delivery's retries are not spent. */
  | { kind: 'throttled'; hold: LaneHold }
  /** 401/403 after any refresh: the destination pauses; leads wait for new credentials. */
  | { kind: 'credentials-rejected' }
  /** 5xx, timeouts, network errors: counts towards PAUSE_AFTER_FAILURES and spends a retry. */
  | { kind: 'failing' }
  /** About the record (validation, mapping): says nothing about the destination's health. */
  | { kind: 'record' };

const HUBSPOT_DAILY_FALLBACK_MS = 60 * 60 * 1000;

/** Reads the vendor's limit reports off a successful answer. */
export function signalOfSuccess(result: PushResult, opts: { dailyBudget?: number; dailyRecheckMs: number }): LaneSignal {
  return signalOfMeta(result.meta, opts);
}

export function signalOfMeta(meta: Record<string, unknown> | undefined, opts: { dailyBudget?: number; dailyRecheckMs: number }): LaneSignal {
  if (!meta) return {};
  const signal: LaneSignal = {};
  const max = Number(meta['x-hubspot-ratelimit-max']);
  const intervalMs = Number(meta['x-hubspot-ratelimit-interval-milliseconds']);
  if (max > 0 && intervalMs > 0) signal.learned = { max, intervalMs };
  const usage = parseApiUsage(meta.sforceLimitInfo);
  if (usage) {
    const allowed = opts.dailyBudget ?? Math.floor(usage.limit * SALESFORCE_DAILY_SHARE);
    if (usage.used >= allowed) signal.hold = { forMs: opts.dailyRecheckMs, reason: 'DAILY_LIMIT', probe: true };
  }
  return signal;
}

/** `Sforce-Limit-Info: api-usage=10018/100000` → {used, limit}. */
export function parseApiUsage(value: unknown): { used: number; limit: number } | undefined {
  const m = typeof value === 'string' ? /api-usage=(\d+)\/(\d+)/.exec(value) : null;
  return m ? { used: Number(m[1]), limit: Number(m[2]) } : undefined;
}

/** Sorts a failed call; `intervalMs` is the lane's window, the wait when a 429 names none. */
export function classifyFailure(error: DeliveryError, opts: { intervalMs: number; dailyRecheckMs: number }): FailureKind {
  const policy = (error.meta as { policyName?: unknown } | undefined)?.policyName;
  if (error.code === 'REQUEST_LIMIT_EXCEEDED') return { kind: 'throttled', hold: { forMs: opts.dailyRecheckMs, reason: 'DAILY_LIMIT', probe: true } };
  if (policy === 'DAILY' || error.code === 'RATE_LIMIT_DAILY') {
    return { kind: 'throttled', hold: { forMs: error.retryAfterMs ?? HUBSPOT_DAILY_FALLBACK_MS, reason: 'DAILY_LIMIT', probe: true } };
  }
  if (error.statusCode === 429) return { kind: 'throttled', hold: { forMs: error.retryAfterMs ?? opts.intervalMs, reason: 'RATE_LIMITED', probe: false } };
  if (error.statusCode === 401 || error.statusCode === 403) return { kind: 'credentials-rejected' };
  return error.retryable ? { kind: 'failing' } : { kind: 'record' };
}
