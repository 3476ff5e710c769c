import { z } from 'zod';

/** `limits` on a destination, as the API accepts and shows them. */
export const laneLimitsSchema = z
  .object({
    requestsPerInterval: z.number().int().positive().max(1_000_000).optional(),
    intervalMs: z.number().int().min(10).max(86_400_000).optional(),
    maxConcurrency: z.number().int().positive().max(1000).optional(),
    /** Calls per rolling 24 h this lane may spend (on Salesforce: instead of 90 % of the org's allowance). */
    dailyBudget: z.number().int().positive().optional(),
  })
  .strict();

export type LaneLimits = z.infer<typeof laneLimitsSchema>;

/** What a lane enforces once defaults, what the vendor reported and the destination's own limits are combined. */
export interface EffectiveLimits {
  /** null: no burst limit. */
  requestsPerInterval: number | null;
  intervalMs: number;
  maxConcurrency: number;
}

export const DEFAULT_MAX_CONCURRENCY = 10;

/** Per provider, as docs/api.md says: HubSpot's Starter burst limit; Salesforce and custom have none. */
const TYPE_DEFAULTS: Record<string, { requestsPerInterval: number | null; intervalMs: number }> = {
  hubspot: { requestsPerInterval: 100, intervalMs: 10_000 },
  salesforce: { requestsPerInterval: null, intervalMs: 1000 },
  custom: { requestsPerInterval: null, intervalMs: 1000 },
};

/** The share of a Salesforce org's daily allowance a lane may spend; the rest is the customer's. */
export const SALESFORCE_DAILY_SHARE = 0.9;

/**
 * The destination's own limits win; then what the vendor reported (X-HubSpot-RateLimit-Max and
 * -Interval-Milliseconds, learned by the lane); then the type's default.
 */
export function effectiveLimits(type: string, own: LaneLimits | null, learned: { max?: number; intervalMs?: number }): EffectiveLimits {
  const base = TYPE_DEFAULTS[type] ?? TYPE_DEFAULTS.custom;
  const ownRate = own?.requestsPerInterval !== undefined;
  return {
    requestsPerInterval: own?.requestsPerInterval ?? learned.max ?? base.requestsPerInterval,
    intervalMs: own?.intervalMs ?? (ownRate ? 1000 : undefined) ?? learned.intervalMs ?? base.intervalMs,
    maxConcurrency: own?.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY,
  };
}

/** Reads `limits` off a stored destination (the column is JSON; anything unparseable counts as unset). */
export function storedLimits(value: unknown): LaneLimits | null {
  const parsed = laneLimitsSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}
