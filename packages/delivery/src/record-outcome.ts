import type { PushResult } from '@crm-push/crm';
import type { DeliveryError } from '@crm-push/outbound';
import { queryDirect } from '@crm-push/db';
import { v7 as uuidv7 } from 'uuid';
import type { DeliveryDeps } from './deps';
import { statusOfFate, type FailureFate } from './delivery-fate';
import { refreshLeadStatus } from './lead-status';

export interface AttemptFacts {
  startedAt: Date;
  durationMs: number;
  /** How many deliveries the call carried, for a batched call. */
  batchSize?: number;
}

interface DeliveryRow {
  id: string;
  leadId: string;
  sweeps: number;
  /** The push round the job ran for; only that round's outcome may change the row's status. */
  round: number;
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
  await queryDirect(deps.db, RECORD_SUCCESSES, [
    column((s) => s.delivery.id),
    column(() => uuidv7()),
    column((s) => s.attempt.startedAt.toISOString()),
    column((s) => s.attempt.durationMs),
    column((s) => s.result.statusCode ?? null),
    column((s) => (s.result.meta ? JSON.stringify(s.result.meta) : null)),
    column((s) => s.result.externalId),
    column((s) => s.delivery.round),
    column((s) => s.attempt.batchSize ?? null),
  ]);
}

/**
 * recordSuccesses' statement, run without Prisma's runtime (see queryDirect): its parameters are
 * arrays of every success. The statement itself is the function record_successes, whose plan
 * PostgreSQL keeps per connection (migration 20261203080000_hot_statement_functions).
 */
const RECORD_SUCCESSES = `SELECT record_successes($1::text[], $2::text[], $3::timestamp[], $4::int[], $5::int[], $6::jsonb[], $7::text[], $8::int[], $9::int[])`;

/**
 * Records a failed call (or, with `attempt` omitted, a failure before any call such as a
 * MAPPING_ERROR) with the fate decided for it (delivery-fate.ts). A job of an earlier round (an
 * explicit push started a new one meanwhile) still logs its call but leaves the row to its round.
 */
export async function recordFailure(
  deps: Pick<DeliveryDeps, 'db'>,
  delivery: DeliveryRow,
  error: DeliveryError,
  fate: FailureFate,
  attempt?: AttemptFacts,
): Promise<void> {
  await deps.db.$transaction(async (tx) => {
    if (attempt) {
      await tx.attempt.create({
        data: {
          deliveryId: delivery.id,
          ...attempt,
          statusCode: error.statusCode ?? null,
          errorCode: error.code,
          errorMessage: error.message,
          retryable: error.retryable,
          meta: (error.meta as object) ?? undefined,
        },
      });
    }
    const { count } = await tx.delivery.updateMany({
      where: { id: delivery.id, round: delivery.round },
      data: {
        status: statusOfFate(fate),
        attempts: attempt ? { increment: 1 } : undefined,
        lastStatusCode: error.statusCode ?? null,
        lastErrorCode: error.code,
        lastErrorMessage: error.message,
        lastErrorRetryable: error.retryable,
        nextRetryAt: fate.nextRetryAt,
      },
    });
    if (!count && attempt) await tx.delivery.update({ where: { id: delivery.id }, data: { attempts: { increment: 1 } } });
    await refreshLeadStatus(tx, delivery.leadId);
  });
}

/**
 * Logs a failed batch call on the deliveries that rode along in it, leaving their status to their
 * own jobs (still live): each will run and try again, so the row only counts the call.
 * `throttled`: the vendor throttled the call or rejected the credentials, so the deliveries wait
 * in their lane and the error is recorded as one to retry, as recordThrottledCall does.
 */
export async function recordRiderAttempts(
  deps: Pick<DeliveryDeps, 'db'>,
  ids: string[],
  error: DeliveryError,
  attempt: AttemptFacts,
  opts: { throttled?: boolean } = {},
): Promise<void> {
  if (!ids.length) return;
  const retryable = opts.throttled || error.retryable;
  await deps.db.$transaction([
    deps.db.attempt.createMany({
      data: ids.map((deliveryId) => ({
        deliveryId,
        ...attempt,
        statusCode: error.statusCode ?? null,
        errorCode: error.code,
        errorMessage: error.message,
        retryable,
        meta: (error.meta as object) ?? undefined,
      })),
    }),
    deps.db.delivery.updateMany({
      where: { id: { in: ids } },
      data: {
        attempts: { increment: 1 },
        lastStatusCode: error.statusCode ?? null,
        lastErrorCode: error.code,
        lastErrorMessage: error.message,
        lastErrorRetryable: retryable,
      },
    }),
  ]);
}
