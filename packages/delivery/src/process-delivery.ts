import { DeliveryError } from '@crm-push/outbound';
import { deferJob, isFinalAttempt, type DeliveryClass, type QueueJob } from '@crm-push/queue';
import type { DeliveryDeps } from './deps';
import { claimHeldForMs } from './batch-claim';
import { effectiveBatch, type EffectiveBatch } from './batch-settings';
import { BULK_RECHECK_MS, isBulkClaim, viaBulkBacklog } from './bulk-backlog';
import type { DeliveryStore } from './delivery-store';
import { decideFate, errorForQueue } from './delivery-fate';
import type { LoadedDelivery } from './load-delivery';
import { enterLane } from './lanes';
import { CLAIM_RECHECK_MS, releaseOwnClaim, runBatch } from './process-batch';
import { prepareCall } from './prepare-call';
import { recordFailure, type AttemptFacts } from './record-outcome';

export type ProcessOutcome =
  { outcome: 'succeeded'; externalId: string | null } | { outcome: 'skipped'; reason: 'missing' | 'already-succeeded' | 'already-failed' | 'stale-round' };

/** A delivery's job, named by its class (a CRM push or a flow action); both name the delivery and its round. */
export type DeliveryJob = QueueJob<DeliveryClass>;

/**
 * The BullMQ processor of one delivery job: the only place that knows both BullMQ and the CRM
 * contract. PostgreSQL decides what to do; the job only names the delivery and its round.
 */
export async function processDelivery(deps: DeliveryDeps, store: DeliveryStore, job: DeliveryJob, token?: string): Promise<ProcessOutcome> {
  const delivery = await store.load(job.data.deliveryId);
  if (!delivery) return { outcome: 'skipped', reason: 'missing' };
  // A stale or duplicated job (late sweep, stalled-job recovery) must not push twice: a job of an
  // earlier round was superseded by an explicit push, and a round pushes until it succeeds.
  if ((job.data.round ?? 1) !== delivery.round) return { outcome: 'skipped', reason: 'stale-round' };
  if (delivery.status === 'succeeded') return { outcome: 'skipped', reason: 'already-succeeded' };
  // Settled within this round by another job's batch call (a refused record): nothing left to do.
  if (delivery.status === 'failed') return { outcome: 'skipped', reason: 'already-failed' };
  // Another job's batch holds it (or a failed batch call's backoff does): look again later, no attempt spent.
  const heldMs = delivery.claimedBy === job.id ? 0 : claimHeldForMs(delivery);
  const recheckMs = isBulkClaim(heldMs) ? BULK_RECHECK_MS : CLAIM_RECHECK_MS;
  if (heldMs > 0) return await deferJob(job, token, delivery.claimedBy ? Math.min(heldMs, recheckMs) : heldMs);

  const batch = delivery.kind === 'crm' && delivery.destination?.enabled && !delivery.destination.deletedAt ? effectiveBatch(delivery.destination) : null;
  if (batch) {
    try {
      return await pushBatched(deps, store, job, token, delivery, batch);
    } finally {
      await releaseOwnClaim(deps, job, delivery);
    }
  }
  return pushAlone(deps, store, job, token, delivery);
}

/** Through runBatch (or a Bulk job for a large Salesforce backlog): the batch settles the delivery, or it goes alone. */
async function pushBatched(
  deps: DeliveryDeps,
  store: DeliveryStore,
  job: DeliveryJob,
  token: string | undefined,
  delivery: LoadedDelivery,
  batch: EffectiveBatch,
): Promise<ProcessOutcome> {
  const batched = await viaBulkBacklog(deps, job, token, delivery, batch, (b) => runBatch(deps, store, job, token, delivery, b));
  if (batched.own === 'succeeded') {
    const attempt = batched.attempt;
    await store.recordSuccess({ delivery, result: batched.result, attempt });
    deps.metrics?.deliveryAttempted({ destinationType: destinationTypeOf(delivery), outcome: 'succeeded', durationMs: attempt.durationMs });
    return { outcome: 'succeeded', externalId: batched.result.externalId };
  }
  if (batched.own === 'failed') throw await settleFailure(deps, delivery, job, batched.error, batched.attempt);
  return pushAlone(deps, store, job, token, delivery);
}

/** One call for one delivery: the path of every delivery that does not go in a batch. */
async function pushAlone(
  deps: DeliveryDeps,
  store: DeliveryStore,
  job: DeliveryJob,
  token: string | undefined,
  delivery: LoadedDelivery,
): Promise<ProcessOutcome> {
  let call;
  try {
    call = await prepareCall(deps, delivery);
  } catch (err) {
    // Not a DeliveryError: e.g. PostgreSQL unreachable. BullMQ retries; if the round runs out, the
    // sweep finds the delivery without a live job and enqueues it again.
    if (!(err instanceof DeliveryError)) throw err;
    throw await settleFailure(deps, delivery, job, err);
  }

  // The lane (budget, concurrency, pause) lets the call through or defers the job: see lanes/lanes.ts.
  const lane = await enterLane(deps, delivery, job, token);
  const startedAt = new Date();
  const t0 = performance.now();
  try {
    const result = await call.run();
    const durationMs = Math.round(performance.now() - t0);
    await lane?.succeeded(result);
    // The lane limits calls to the vendor: its slot is given back while the success is written.
    await Promise.all([lane?.release(), store.recordSuccess({ delivery, result, attempt: { startedAt, durationMs } })]);
    deps.metrics?.deliveryAttempted({ destinationType: destinationTypeOf(delivery), outcome: 'succeeded', durationMs });
    return { outcome: 'succeeded', externalId: result.externalId };
  } catch (err) {
    const error = err instanceof DeliveryError ? err : call.classify(err);
    // An adapter may still refuse the record before calling (e.g. no external id value to upsert by).
    const called = error.code !== 'MAPPING_ERROR';
    const attempt = called ? { startedAt, durationMs: Math.round(performance.now() - t0) } : undefined;
    const steer = await lane?.failed(error, attempt);
    if (steer?.defer) return await deferJob(job, token, steer.waitMs); // throttled or paused: no retry spent (awaited: the finally below runs first)
    throw await settleFailure(deps, delivery, job, error, attempt);
  } finally {
    await lane?.release();
  }
}

/** Decides, records and reports a failure; returns what to throw so BullMQ does what the row says. */
async function settleFailure(deps: DeliveryDeps, delivery: LoadedDelivery, job: DeliveryJob, error: DeliveryError, attempt?: AttemptFacts): Promise<Error> {
  const fate = decideFate(deps.config, delivery, error, isFinalAttempt(job));
  await recordFailure(deps, delivery, error, fate, attempt);
  deps.metrics?.deliveryAttempted({ destinationType: destinationTypeOf(delivery), outcome: fate.verdict, durationMs: attempt?.durationMs });
  deps.logger.warn(
    { deliveryId: delivery.id, code: error.code, statusCode: error.statusCode, verdict: fate.verdict, nextRetryAt: fate.nextRetryAt, called: !!attempt },
    'delivery attempt failed',
  );
  return errorForQueue(fate, error);
}

function destinationTypeOf(delivery: LoadedDelivery): string {
  return delivery.destination?.type ?? delivery.kind;
}
