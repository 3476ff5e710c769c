import type { PushResult } from '@crm-push/crm';
import { DeliveryError } from '@crm-push/outbound';
import { Prisma } from '@crm-push/db';
import { v7 as uuidv7 } from 'uuid';
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

export interface Success {
  delivery: DeliveryRow;
  result: PushResult;
  attempt: AttemptFacts;
}

/**
 * Marks deliveries succeeded, logs their calls and marks their leads synced, all in ONE
 * statement — the hottest write of the system, so a worker batches the successes of its
 * concurrent jobs into it (see delivery-store.ts). Needs no lead lock: `synced` only ever
 * follows a success, so concurrent successes agree.
 */
export async function recordSuccesses(deps: Pick<DeliveryDeps, 'db'>, successes: readonly Success[]) {
  if (!successes.length) return;
  const column = <T>(pick: (s: Success) => T) => successes.map(pick);
  await deps.db.$executeRaw`
    WITH input AS (
      SELECT * FROM unnest(
        ${column((s) => s.delivery.id)}::text[], ${column(() => uuidv7())}::text[], ${column((s) => s.attempt.startedAt)}::timestamp[],
        ${column((s) => s.attempt.durationMs)}::int[], ${column((s) => s.result.statusCode ?? null)}::int[],
        ${column((s) => (s.result.meta ? JSON.stringify(s.result.meta) : null))}::jsonb[], ${column((s) => s.result.externalId)}::text[]
      ) AS t(delivery_id, attempt_id, started_at, duration_ms, status_code, meta, external_id)
    ), logged AS (
      INSERT INTO attempts (id, delivery_id, started_at, duration_ms, status_code, meta)
      SELECT attempt_id, delivery_id, started_at, duration_ms, status_code, meta FROM input
    ), done AS (
      UPDATE deliveries d
      SET status = 'succeeded', attempts = d.attempts + 1, last_status_code = input.status_code, last_error_code = NULL,
          last_error_message = NULL, last_error_retryable = NULL, external_id = input.external_id,
          next_retry_at = NULL, updated_at = ${UTC_NOW}
      FROM input WHERE d.id = input.delivery_id
      RETURNING d.lead_id, d.kind
    )
    UPDATE leads SET status = 'synced', updated_at = ${UTC_NOW}
    WHERE id IN (SELECT lead_id FROM done WHERE kind = 'crm') AND status <> 'synced'`;
}

/** Timestamps are stored as UTC without a zone, as Prisma writes them. */
const UTC_NOW = Prisma.sql`(now() AT TIME ZONE 'UTC')`;

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
  error: DeliveryError,
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
export function endsRoundEarly(deps: Pick<DeliveryDeps, 'config'>, error: DeliveryError): boolean {
  return error.retryable && (error.retryAfterMs ?? 0) > deps.config.RETRY_MAX_MS;
}

function decide(deps: DeliveryDeps, delivery: DeliveryRow, error: DeliveryError, finalAttempt: boolean, now: Date) {
  if (!error.retryable) return { verdict: 'failed' as const, nextRetryAt: null };
  if (!finalAttempt && !endsRoundEarly(deps, error)) return { verdict: 'retrying' as const, nextRetryAt: null };
  if (delivery.sweeps >= deps.config.SWEEP_MAX) return { verdict: 'failed' as const, nextRetryAt: null };
  const wait = Math.max(sweepDelay(delivery.sweeps, deps.config.SWEEP_EVERY_MS), error.retryAfterMs ?? 0);
  return { verdict: 'failed-will-sweep' as const, nextRetryAt: new Date(now.getTime() + wait) };
}
