import { CrmError, type PushResult } from '@crm-push/crm';
import { sweepDelay } from '@crm-push/queue';
import type { DeliveryDeps } from './deps';
import { refreshLeadStatus } from './lead-status';

export interface AttemptFacts {
  startedAt: Date;
  durationMs: number;
}

interface DeliveryRow {
  id: string;
  leadId: string;
  sweeps: number;
}

/** Marks a delivery succeeded, logs the call, and refreshes its lead — one transaction. */
export async function recordSuccess(deps: DeliveryDeps, delivery: DeliveryRow, result: PushResult, attempt: AttemptFacts) {
  await deps.db.$transaction(async (tx) => {
    await tx.attempt.create({
      data: { deliveryId: delivery.id, ...attempt, statusCode: result.statusCode ?? null, meta: (result.meta as object) ?? undefined },
    });
    await tx.delivery.update({
      where: { id: delivery.id },
      data: {
        status: 'succeeded',
        attempts: { increment: 1 },
        lastStatusCode: result.statusCode ?? null,
        lastErrorCode: null,
        lastErrorMessage: null,
        lastErrorRetryable: null,
        externalId: result.externalId,
        nextRetryAt: null,
      },
    });
    await refreshLeadStatus(tx, delivery.leadId);
  });
}

export type FailureVerdict =
  /** BullMQ will try again within this round. */
  | 'retrying'
  /** This round is over; the sweep takes it again at nextRetryAt. */
  | 'failed-will-sweep'
  /** Over for good (not retryable, or SWEEP_MAX reached). */
  | 'failed';

/**
 * Records a failed call (or, with `attempt` omitted, a failure before any call such as a
 * MAPPING_ERROR) and decides what happens next.
 */
export async function recordFailure(
  deps: DeliveryDeps,
  delivery: DeliveryRow,
  error: CrmError,
  opts: { attempt?: AttemptFacts; finalAttempt: boolean; now?: Date },
): Promise<{ verdict: FailureVerdict; nextRetryAt: Date | null }> {
  const now = opts.now ?? new Date();
  const { verdict, nextRetryAt } = decide(deps, delivery, error, opts.finalAttempt, now);
  await deps.db.$transaction(async (tx) => {
    if (opts.attempt) {
      await tx.attempt.create({
        data: {
          deliveryId: delivery.id,
          ...opts.attempt,
          statusCode: error.statusCode ?? null,
          errorCode: error.code,
          errorMessage: error.message,
          retryable: error.retryable,
          meta: (error.meta as object) ?? undefined,
        },
      });
    }
    await tx.delivery.update({
      where: { id: delivery.id },
      data: {
        status: verdict === 'retrying' ? 'retrying' : 'failed',
        attempts: opts.attempt ? { increment: 1 } : undefined,
        lastStatusCode: error.statusCode ?? null,
        lastErrorCode: error.code,
        lastErrorMessage: error.message,
        lastErrorRetryable: error.retryable,
        nextRetryAt,
      },
    });
    await refreshLeadStatus(tx, delivery.leadId);
  });
  return { verdict, nextRetryAt };
}

/**
 * A vendor asking us to wait longer than RETRY_MAX_MS (HubSpot's daily limit) ends the round at
 * once: retrying within it would only burn attempts. The sweep comes back after the wait.
 */
export function endsRoundEarly(deps: Pick<DeliveryDeps, 'config'>, error: CrmError): boolean {
  return error.retryable && (error.retryAfterMs ?? 0) > deps.config.RETRY_MAX_MS;
}

function decide(deps: DeliveryDeps, delivery: DeliveryRow, error: CrmError, finalAttempt: boolean, now: Date) {
  if (!error.retryable) return { verdict: 'failed' as const, nextRetryAt: null };
  if (!finalAttempt && !endsRoundEarly(deps, error)) return { verdict: 'retrying' as const, nextRetryAt: null };
  if (delivery.sweeps >= deps.config.SWEEP_MAX) return { verdict: 'failed' as const, nextRetryAt: null };
  const wait = Math.max(sweepDelay(delivery.sweeps, deps.config.SWEEP_EVERY_MS), error.retryAfterMs ?? 0);
  return { verdict: 'failed-will-sweep' as const, nextRetryAt: new Date(now.getTime() + wait) };
}
