import type { PushManyResult, PushResult } from '@crm-push/crm';
import type { DeliveryError } from '@crm-push/outbound';
import { backoffDelay, deferJob, type QueueJob } from '@crm-push/queue';
import { claimBatch, releaseAllClaims, releaseClaims } from './batch-claim';
import type { EffectiveBatch } from './batch-settings';
import { decideFate } from './delivery-fate';
import type { DeliveryDeps } from './deps';
import type { DeliveryStore } from './delivery-store';
import { enterLane, waitIfLaneClosed } from './lanes';
import { loadDeliveries, type LoadedDelivery } from './load-delivery';
import { prepareBatchCall } from './prepare-call';
import { recordFailure, recordRiderAttempts, type AttemptFacts } from './record-outcome';
import { finishRiderJobs } from './rider-jobs';

/** What the batch decided for the claimant's own delivery; the processor turns it into the job's fate. */
export type BatchOutcome =
  { own: 'alone' } | { own: 'succeeded'; result: PushResult; attempt: AttemptFacts } | { own: 'failed'; error: DeliveryError; attempt?: AttemptFacts };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Gathers the destination's ready deliveries (batch-claim.ts explains the claim), makes ONE call
 * through the lane for all of them, and settles every delivery but the claimant's own, whose
 * outcome it returns. `alone`: nothing else was ready within maxWaitMs, so the claimant pushes
 * by itself through the one-record path (the vendors' single-record answers stay as they were).
 * Whatever it returns, the claimant still holds the claim on its own delivery: `releaseOwnClaim`.
 */
export async function runBatch(
  deps: DeliveryDeps,
  store: DeliveryStore,
  job: QueueJob,
  token: string | undefined,
  delivery: LoadedDelivery,
  batch: EffectiveBatch,
): Promise<BatchOutcome> {
  await waitIfLaneClosed(deps, delivery, job, token);
  const claimant = claimantOf(job, delivery);
  const claim = (limit: number) => claimBatch(deps, { destinationId: delivery.destinationId!, selfId: delivery.id, claimant, limit, leaseMs: batch.leaseMs });
  let ids = await claim(batch.maxSize);
  const held = new Set<string>();
  // Riders whose outcome the call decided: their jobs are finished for them at the end.
  const decided: string[] = [];
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
    // The claim on its own delivery outlives this function: the processor lets go of it once the
    // delivery's outcome is recorded (releaseOwnClaim). Let go before, a claimant of the same
    // destination running meanwhile would take the still-`queued` delivery into its batch and push
    // it a second time (after a success not yet written, or during a lone lead's single push).
    held.add(delivery.id);
    if (ids.length < 2) return { own: 'alone' };

    const others = (await loadDeliveries(deps.db, ids.slice(1))).filter((d) => d.status === 'queued');
    const call = await prepareBatchCall(deps, [delivery, ...others]);
    let own: BatchOutcome | undefined;
    for (const { delivery: d, error } of call.unmapped) {
      if (d.id === delivery.id) own = { own: 'failed', error };
      else {
        await settleRider(deps, d, error);
        decided.push(d.id);
      }
    }
    if (own) return own; // the claimant's own record cannot go: the others go with their own jobs

    const lane = await enterLane(deps, delivery, job, token);
    const startedAt = new Date();
    const t0 = performance.now();
    try {
      const results = await call.run();
      const attempt: AttemptFacts = { startedAt, durationMs: Math.round(performance.now() - t0), batchSize: call.sendable.length };
      const refused = results.filter((r) => !r.ok).length;
      deps.metrics?.batchCalled?.({ destinationType: delivery.destination!.type, succeeded: results.length - refused, failed: refused });
      const error = wholeCallError(results);
      if (error) {
        const steer = await lane?.failed(error, attempt);
        const riderIds = call.sendable.slice(1).map((d) => d.id);
        if (steer?.defer) {
          // Throttled or paused: the lane holds the riders now, exactly as it holds this job (their
          // own jobs wait in it, still `queued`, no retry spent), and a resume wakes them at once.
          // A hold on their claims would outlast a resume, so they are let go without one.
          await recordRiderAttempts(deps, riderIds, error, attempt, { throttled: true });
          return await deferJob(job, token, steer.waitMs);
        }
        if (error.retryable) {
          await recordRiderAttempts(deps, riderIds, error, attempt);
          // Nobody takes them again before the backoff: the next claimant would retry them at once.
          await releaseClaims(deps, claimant, riderIds, backoffDelay(1, { baseMs: deps.config.RETRY_BASE_MS, maxMs: deps.config.RETRY_MAX_MS }));
          riderIds.forEach((id) => held.add(id));
        } else {
          for (const d of call.sendable.slice(1)) await settleRider(deps, d, error, attempt);
          decided.push(...riderIds);
        }
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
      decided.push(...call.sendable.slice(1).map((d) => d.id));
      return ownOutcome;
    } finally {
      await lane?.release();
    }
  } finally {
    await releaseAllClaims(deps, claimant, [...held]);
    await finishRiderJobs(deps, delivery.destinationId!, decided);
  }
}

/** The error of a call that failed as a whole: every record carries the same one (prepareBatchCall). */
function wholeCallError(results: PushManyResult[]): DeliveryError | undefined {
  const first = results[0];
  if (first.ok || !results.every((r) => !r.ok && r.error === first.error)) return undefined;
  return first.error;
}

/** Lets go of the claim runBatch left on the claimant's own delivery, once its outcome is recorded. */
export async function releaseOwnClaim(deps: DeliveryDeps, job: QueueJob, delivery: LoadedDelivery): Promise<void> {
  await releaseClaims(deps, claimantOf(job, delivery), [delivery.id]);
}

/** A job claims as itself: its id is stable across its runs, so a rerun takes its own claims back. */
function claimantOf(job: QueueJob, delivery: LoadedDelivery): string {
  return job.id ?? delivery.id;
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
