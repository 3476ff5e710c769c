import type { Config } from '@crm-push/config';
import type { DeliveryError } from '@crm-push/outbound';
import { LIVE_JOB_STATES, PermanentJobError, sweepDelay } from '@crm-push/queue';

/*
 * The one rule that keeps PostgreSQL and BullMQ in agreement. At every moment a delivery is
 * exactly one of:
 *   1. `queued` or `retrying`, with a live job of its round (waiting, delayed, active, …) that will
 *      run it — a delivery held back by a throttled or paused lane is `queued` with a delayed job;
 *   2. `failed` with `nextRetryAt`: its round is over and the sweep gives it a new one;
 *   3. `failed` for good (not retryable, or SWEEP_MAX reached), without `nextRetryAt`;
 *   4. `succeeded`.
 * A failure — of a call, or before any call (a refused or unresolvable address, a disabled or
 * deleted destination, a mapping error, unreadable credentials) — is settled by `decideFate`, and
 * the processor throws `errorForQueue` of that fate, so BullMQ does what the row says.
 */

export type FailureVerdict =
  /** BullMQ will try again within this round (the row says `retrying`, the job is delayed). */
  | 'retrying'
  /** This round is over; the sweep takes it again at nextRetryAt. */
  | 'failed-will-sweep'
  /** Over for good (not retryable, or SWEEP_MAX reached). */
  | 'failed';

export interface FailureFate {
  verdict: FailureVerdict;
  nextRetryAt: Date | null;
}

/**
 * A vendor asking us to wait longer than RETRY_MAX_MS (HubSpot's daily limit) ends the round at
 * once: retrying within it would only burn attempts. The sweep comes back after the wait.
 */
export function endsRoundEarly(config: Pick<Config, 'RETRY_MAX_MS'>, error: DeliveryError): boolean {
  return error.retryable && (error.retryAfterMs ?? 0) > config.RETRY_MAX_MS;
}

/** The fate of a delivery after a failure; the same for a failed call and a failure before one. */
export function decideFate(
  config: Pick<Config, 'RETRY_MAX_MS' | 'SWEEP_MAX' | 'SWEEP_EVERY_MS'>,
  delivery: { sweeps: number },
  error: DeliveryError,
  finalAttempt: boolean,
  now: Date = new Date(),
): FailureFate {
  if (!error.retryable) return { verdict: 'failed', nextRetryAt: null };
  if (!finalAttempt && !endsRoundEarly(config, error)) return { verdict: 'retrying', nextRetryAt: null };
  if (delivery.sweeps >= config.SWEEP_MAX) return { verdict: 'failed', nextRetryAt: null };
  const wait = Math.max(sweepDelay(delivery.sweeps, config.SWEEP_EVERY_MS), error.retryAfterMs ?? 0);
  return { verdict: 'failed-will-sweep', nextRetryAt: new Date(now.getTime() + wait) };
}

/** The status a fate leaves on the row. */
export function statusOfFate(fate: FailureFate): 'retrying' | 'failed' {
  return fate.verdict === 'retrying' ? 'retrying' : 'failed';
}

/**
 * What the processor throws once the fate is recorded: the error itself when BullMQ should retry
 * (its backoff reads `retryAfterMs`), a PermanentJobError when the round is over.
 */
export function errorForQueue(fate: FailureFate, error: DeliveryError): Error {
  return fate.verdict === 'retrying' ? error : new PermanentJobError(`${error.code}: ${error.message}`);
}

/** A delivery row as the invariant sees it. */
export interface DeliveryFacts {
  status: string;
  nextRetryAt: Date | null;
  lastErrorRetryable: boolean | null;
  sweeps: number;
}

/**
 * Why a delivery breaks the invariant, given the state of its current round's job in BullMQ
 * ('unknown' when Redis has none), or null when it keeps it. Used by the test checker; anyone
 * adding a state (flow-control lanes) extends this one function.
 */
export function invariantBreach(config: Pick<Config, 'SWEEP_MAX'>, delivery: DeliveryFacts, jobState: string): string | null {
  const live = LIVE_JOB_STATES.has(jobState);
  switch (delivery.status) {
    case 'queued':
    case 'retrying':
      return live ? null : `${delivery.status} but its job is ${jobState}: nothing will run it`;
    case 'failed':
      if (live && jobState !== 'active') return `failed but its job is still ${jobState}`;
      if (delivery.nextRetryAt) {
        if (!delivery.lastErrorRetryable) return 'failed with nextRetryAt after a non-retryable error: the sweep will not take it';
        if (delivery.sweeps >= config.SWEEP_MAX) return 'failed with nextRetryAt after SWEEP_MAX sweeps: the sweep will not take it';
      }
      return null;
    case 'succeeded':
      return delivery.nextRetryAt ? 'succeeded with a nextRetryAt' : null;
    default:
      return `unknown status "${delivery.status}"`;
  }
}
