import type { HubSpotRateLimitPolicy, RateLimitState } from './hubspot-answers';

export interface HubSpotLimits {
  /** Calls per day (`X-HubSpot-RateLimit-Daily`). @defaultValue 250000 */
  daily: number;
  /** Calls per rolling interval (`X-HubSpot-RateLimit-Max`). @defaultValue 190 */
  max: number;
  /** The rolling interval (`X-HubSpot-RateLimit-Interval-Milliseconds`). @defaultValue 10000 */
  intervalMs: number;
}

export const DEFAULT_LIMITS: HubSpotLimits = { daily: 250000, max: 190, intervalMs: 10000 };

/** Counts calls the way HubSpot does: a daily budget and a ten-second rolling window. */
export class RateLimiter {
  private readonly recent: number[] = [];
  dailyUsed = 0;
  /** Calls answered 429 so far. */
  rejected = 0;

  constructor(readonly limits: HubSpotLimits) {}

  /** Counts one call; says which policy it breaks, if any, and the headers to send. */
  take(now = Date.now()): { exceeded?: HubSpotRateLimitPolicy; state: RateLimitState } {
    while (this.recent.length && this.recent[0] <= now - this.limits.intervalMs) this.recent.shift();
    let exceeded: HubSpotRateLimitPolicy | undefined;
    if (this.dailyUsed >= this.limits.daily) exceeded = 'DAILY';
    else if (this.recent.length >= this.limits.max) exceeded = 'TEN_SECONDLY_ROLLING';
    else {
      this.dailyUsed++;
      this.recent.push(now);
    }
    if (exceeded) this.rejected++;
    const state: RateLimitState = {
      daily: this.limits.daily,
      dailyRemaining: this.limits.daily - this.dailyUsed,
      intervalMs: this.limits.intervalMs,
      max: this.limits.max,
      remaining: this.limits.max - this.recent.length,
    };
    return { exceeded, state };
  }
}
