import { DeliveryError } from '@crm-push/outbound';
import { UnrecoverableError, type Job } from 'bullmq';
import type { DeliveryDeps } from './deps';
import type { DeliveryStore } from './delivery-store';
import { prepareCall } from './prepare-call';
import { recordFailure } from './record-outcome';

export type ProcessOutcome = { outcome: 'succeeded'; externalId: string | null } | { outcome: 'skipped'; reason: 'missing' | 'already-succeeded' };

/**
 * The BullMQ processor of one delivery job: the only place that knows both BullMQ and the CRM
 * contract. PostgreSQL decides what to do; the job only names the delivery.
 */
export async function processDelivery(deps: DeliveryDeps, store: DeliveryStore, job: Job<{ deliveryId: string }>): Promise<ProcessOutcome> {
  const delivery = await store.load(job.data.deliveryId);
  if (!delivery) return { outcome: 'skipped', reason: 'missing' };
  // A stale or duplicated job (sweep, manual retry, stalled-job recovery) must not push twice.
  if (delivery.status === 'succeeded') return { outcome: 'skipped', reason: 'already-succeeded' };
  const finalAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
  const destinationType = delivery.destination?.type ?? delivery.kind;

  let call;
  try {
    call = await prepareCall(deps, delivery);
  } catch (err) {
    if (!(err instanceof DeliveryError)) throw err; // e.g. PostgreSQL unreachable: let BullMQ retry
    const { verdict } = await recordFailure(deps, delivery, err, { finalAttempt });
    deps.metrics?.deliveryAttempted({ destinationType, outcome: verdict });
    throw new UnrecoverableError(`${err.code}: ${err.message}`);
  }

  const startedAt = new Date();
  const t0 = performance.now();
  try {
    const result = await call.run();
    const durationMs = Math.round(performance.now() - t0);
    await store.recordSuccess({ delivery, result, attempt: { startedAt, durationMs } });
    deps.metrics?.deliveryAttempted({ destinationType, outcome: 'succeeded', durationMs });
    return { outcome: 'succeeded', externalId: result.externalId };
  } catch (err) {
    const error = err instanceof DeliveryError ? err : call.classify(err);
    // An adapter may still refuse the record before calling (e.g. no external id value to upsert by).
    const called = error.code !== 'MAPPING_ERROR';
    const attempt = called ? { startedAt, durationMs: Math.round(performance.now() - t0) } : undefined;
    const { verdict } = await recordFailure(deps, delivery, error, { attempt, finalAttempt });
    deps.metrics?.deliveryAttempted({ destinationType, outcome: verdict, durationMs: attempt?.durationMs });
    deps.logger.warn({ deliveryId: delivery.id, code: error.code, statusCode: error.statusCode, verdict }, 'delivery attempt failed');
    // BullMQ retries a plain error (its backoff reads error.retryAfterMs); anything else ends the round.
    if (verdict === 'retrying' || finalAttempt) throw error;
    throw new UnrecoverableError(`${error.code}: ${error.message}`);
  }
}
