import { deferJob, type QueueJob } from '@crm-push/queue';
import type { DeliveryDeps } from '../deps';
import type { LoadedDelivery } from '../load-delivery';
import type { LanePass } from './lanes';

/**
 * The processor's one seam into the lanes. Returns the pass of a delivery its lane lets through
 * (undefined for flow actions, which have no lane), or defers the job — moved back to `delayed`
 * until the lane will take it, then DelayedError so BullMQ counts no attempt — and throws.
 */
export async function enterLane(deps: DeliveryDeps, delivery: LoadedDelivery, job: QueueJob, token: string | undefined): Promise<LanePass | undefined> {
  const destination = delivery.destination;
  if (!deps.lanes || delivery.kind !== 'crm' || !destination) return undefined;
  const verdict = await deps.lanes.admit(deps, { ...delivery, destination });
  if ('succeeded' in verdict) return verdict;
  deps.metrics?.laneWaited?.({ destinationType: destination.type, reason: verdict.reason });
  return await deferJob(job, token, verdict.waitMs);
}

/**
 * Defers the job (and throws) while its lane is closed, paused or held, without entering it:
 * what a batch claimant asks before it claims (Lanes.closedFor says why).
 */
export async function waitIfLaneClosed(deps: DeliveryDeps, delivery: LoadedDelivery, job: QueueJob, token: string | undefined): Promise<void> {
  const destination = delivery.destination;
  if (!deps.lanes || delivery.kind !== 'crm' || !destination) return;
  const closed = await deps.lanes.closedFor({ ...delivery, destination });
  if (!closed) return;
  deps.metrics?.laneWaited?.({ destinationType: destination.type, reason: closed.reason });
  await deferJob(job, token, closed.waitMs);
}
