export interface BackoffPolicy {
  /** RETRY_BASE_MS: the first delay. */
  baseMs: number;
  /** RETRY_MAX_MS: no delay exceeds it, Retry-After included. */
  maxMs: number;
}

/**
 * Delay before retry number `attemptsMade` (1 = the first retry): exponential from baseMs,
 * capped at maxMs, with up to 20% jitter taken off so that many deliveries failing together do
 * not retry in lockstep (the gaps still grow: 2 × 0.8 > 1). A vendor's Retry-After raises the
 * delay to what it asked for, within the cap.
 */
export function backoffDelay(attemptsMade: number, policy: BackoffPolicy, retryAfterMs?: number, random: () => number = Math.random): number {
  const exponential = policy.baseMs * 2 ** Math.max(0, attemptsMade - 1);
  const jittered = exponential * (1 - 0.2 * random());
  const wanted = Math.max(jittered, retryAfterMs ?? 0);
  return Math.round(Math.min(wanted, policy.maxMs));
}

/**
 * When the sweep may take a delivery again after its `sweeps`-th round failed: the sweep
 * period doubled per round, so a long outage is not hammered, capped at a day.
 */
export function sweepDelay(sweeps: number, sweepEveryMs: number): number {
  return Math.min(sweepEveryMs * 2 ** Math.min(sweeps, 20), 24 * 60 * 60 * 1000);
}
