import type { PushResult } from '@crm-push/crm';
import type { DeliveryError } from '@crm-push/outbound';
import { backoffDelay } from '@crm-push/queue';
import type { Job } from 'bullmq';
import { claimBatch, releaseAllClaims, releaseClaims } from './batch-claim';
import type { EffectiveBatch } from './batch-settings';
import { decideFate } from './delivery-fate';
import type { DeliveryDeps } from './deps';
import type { DeliveryStore } from './delivery-store';
import { deferJob, enterLane } from './lanes';
import { loadDeliveries, type LoadedDelivery } from './load-delivery';
import { prepareBatchCall } from './prepare-call';
import { recordFailure, recordRiderAttempts, type AttemptFacts } from './record-outcome';

/** What the batch decided for the claimant's own delivery; the processor turns it into the job's fate. */
export type BatchOutcome =
  { own: 'alone' } | { own: 'succeeded'; result: PushResult; attempt: AttemptFacts } | { own: 'failed'; error: DeliveryError; attempt?: AttemptFacts };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Gathers the destination's ready deliveries (batch-claim.ts explains the claim), makes ONE call
 * through the lane for all of them, and settles every delivery but the claimant's own, whose
 * outcome it returns. `alone`: nothing else was ready within maxWaitMs, so the claimant pushes
 * by itself through the one-record path (the vendors' single-record answers stay as they were).
 */
export async function runBatch(
  deps: DeliveryDeps,
  store: DeliveryStore,
  job: Job,
  token: string | undefined,
  delivery: LoadedDelivery,
  batch: EffectiveBatch,
): Promise<BatchOutcome> {
  const claimant = job.id ?? delivery.id;
  const claim = (limit: number) => claimBatch(deps, { destinationId: delivery.destinationId!, selfId: delivery.id, claimant, limit, leaseMs: batch.leaseMs });
  let ids = await claim(batch.maxSize);
  const held = new Set<string>();
  // Whatever happens from here on, every claim not deliberately held is let go at the end: an
  // error must not leave the destination's deliveries waiting out a lease.
  try {
    if (ids[0] !== delivery.id) {
      // Another job took it between our load and our claim: its outcome will be on the row.
      return await deferJob(job, token, CLAIM_RECHECK_MS);
    }
    // A lead that has just arrived waits up to maxWaitMs for company; an older one (a retry, a
    // backlog) goes with whatever is ready now.
    const waitMs = delivery.createdAt.getTime() + batch.maxWaitMs - Date.now();
    if (ids.length < batch.maxSize && waitMs > 0) {
      await sleep(waitMs);
      ids = await claim(batch.maxSize);
    }
    if (ids.length < 2) return { own: 'alone' };

    const others = (await loadDeliveries(deps.db, ids.slice(1))).filter((d) => d.status === 'queued');
    const call = await prepareBatchCall(deps, [delivery, ...others]);
    let own: BatchOutcome | undefined;
    for (const { delivery: d, error } of call.unmapped) {
      if (d.id === delivery.id) own = { own: 'failed', error };
      else await settleRider(deps, d, error);
    }
    if (own) return own; // the claimant's own record cannot go: the others go with their own jobs

    const lane = await enterLane(deps, delivery, job, token);
    const startedAt = new Date();
    const t0 = performance.now();
    try {
      const results = await call.run();
      const attempt: AttemptFacts = { startedAt, durationMs: Math.round(performance.now() - t0), batchSize: call.sendable.length };
      const wholeCall = !results[0].ok && results.every((r) => !r.ok && r.error === (results[0] as { error: DeliveryError }).error);
      deps.metrics?.batchCalled?.({ destinationType: delivery.destination!.type, records: call.sendable.length });
      if (wholeCall) {
        const error = (results[0] as { error: DeliveryError }).error;
        const steer = await lane?.failed(error, attempt);
        const riders = call.sendable.slice(1);
        if (error.retryable || steer?.defer) {
          await recordRiderAttempts(
            deps,
            riders.map((d) => d.id),
            error,
            attempt,
          );
          // Nobody takes them again before the backoff: the next claimant would retry them at once.
          const holdMs = steer?.defer ? steer.waitMs : backoffDelay(1, { baseMs: deps.config.RETRY_BASE_MS, maxMs: deps.config.RETRY_MAX_MS });
          await releaseClaims(
            deps,
            claimant,
            riders.map((d) => d.id),
            holdMs,
          );
          riders.forEach((d) => held.add(d.id));
        } else {
          for (const d of riders) await settleRider(deps, d, error, attempt);
        }
        if (steer?.defer) return await deferJob(job, token, steer.waitMs);
        return { own: 'failed', error, attempt };
      }
      const firstOk = results.find((r) => r.ok);
      await lane?.succeeded(firstOk?.ok ? firstOk.result : { externalId: null, action: 'created' });
      let ownOutcome: BatchOutcome = { own: 'alone' };
      await Promise.all(
        call.sendable.map(async (d, i) => {
          const r = results[i];
          if (d.id === delivery.id) {
            ownOutcome = r.ok ? { own: 'succeeded', result: r.result, attempt } : { own: 'failed', error: r.error, attempt };
          } else if (r.ok) {
            await store.recordSuccess({ delivery: d, result: r.result, attempt });
            deps.metrics?.deliveryAttempted({ destinationType: d.destination!.type, outcome: 'succeeded', durationMs: attempt.durationMs });
          } else if (r.error.retryable) {
            await recordRiderAttempts(deps, [d.id], r.error, attempt);
          } else {
            await settleRider(deps, d, r.error, attempt);
          }
        }),
      );
      return ownOutcome;
    } finally {
      await lane?.release();
    }
  } finally {
    await releaseAllClaims(deps, claimant, [...held]);
  }
}

/** A delivery that rode along and was refused: failed for good (its own job finds it settled). */
async function settleRider(deps: DeliveryDeps, delivery: LoadedDelivery, error: DeliveryError, attempt?: AttemptFacts): Promise<void> {
  const fate = decideFate(deps.config, delivery, error, false);
  await recordFailure(deps, delivery, error, fate, attempt);
  deps.metrics?.deliveryAttempted({ destinationType: delivery.destination!.type, outcome: fate.verdict, durationMs: attempt?.durationMs });
  deps.logger.warn(
    { deliveryId: delivery.id, code: error.code, statusCode: error.statusCode, verdict: fate.verdict, batched: true },
    'delivery attempt failed',
  );
}

/** How soon a job whose delivery another job's batch holds looks again. */
export const CLAIM_RECHECK_MS = 500;
