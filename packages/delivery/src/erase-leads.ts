import { Prisma } from '@crm-push/db';
import { deliveryJobId, type DeliveryRef } from '@crm-push/queue';
import type { DeliveryDeps } from './deps';

/** A job still running when its lead was erased is removed this long after, once it has finished. */
const FORGET_RUNNING_AFTER_MS = 60_000;

const UTC_NOW = Prisma.sql`(now() AT TIME ZONE 'UTC')`;

export type EraseWhich =
  /** Leads of one account, by id (DELETE /v1/leads/:id). */
  | { accountId: string; leadIds: string[] }
  /** The oldest leads created before a time (LEAD_RETENTION_DAYS), at most `limit`. */
  | { createdBefore: Date; limit: number };

/**
 * Erases leads (right to erasure). In one transaction: the lead's data is emptied and its row
 * becomes a tombstone (`status: "erased"`, `erasedAt`), keeping id, account, times and the
 * producer's keys (Idempotency-Key, source + externalId) so counts stay right and a repeated
 * ingest is still a repeat instead of the lead coming back; its deliveries are deleted, and with
 * them their attempt log (error texts may echo lead data). Then its jobs leave Redis; one that
 * is running right now cannot be removed, so it is removed by a maintenance job a minute later
 * (when it runs on, it finds its delivery gone and does nothing). Returns the erased lead ids
 * (an already erased lead is not erased again).
 */
export async function eraseLeads(deps: DeliveryDeps, which: EraseWhich): Promise<string[]> {
  const { leadIds, deliveries } = await deps.db.$transaction(async (tx) => {
    const leads =
      'accountId' in which
        ? await tx.$queryRaw<{ id: string }[]>`
            SELECT id FROM leads WHERE account_id = ${which.accountId} AND id = ANY(${which.leadIds}::text[]) AND erased_at IS NULL FOR UPDATE`
        : // SKIP LOCKED: a lead another erasure (or a status update) holds is taken by the next batch.
          await tx.$queryRaw<{ id: string }[]>`
            SELECT id FROM leads WHERE erased_at IS NULL AND created_at < ${which.createdBefore}
            ORDER BY erased_at, created_at LIMIT ${which.limit} FOR UPDATE SKIP LOCKED`;
    const ids = leads.map((l) => l.id);
    if (!ids.length) return { leadIds: [], deliveries: [] };
    const removed = await tx.$queryRaw<
      DeliveryRef[]
    >`DELETE FROM deliveries WHERE lead_id = ANY(${ids}::text[]) RETURNING id, kind, destination_id AS "destinationId", round`;
    await tx.$executeRaw`
      UPDATE leads SET data = '{}'::jsonb, status = 'erased', erased_at = ${UTC_NOW}, updated_at = ${UTC_NOW} WHERE id = ANY(${ids}::text[])`;
    return { leadIds: ids, deliveries: removed };
  });
  if (deliveries.length) await forgetJobs(deps, deliveries);
  if (leadIds.length) deps.logger.info({ leads: leadIds.length, deliveries: deliveries.length }, 'leads erased');
  return leadIds;
}

/**
 * Removes the jobs of deleted deliveries. A job running right now is locked by its worker and
 * stays: a later `forget-jobs` job removes it. Returns the ones left for later. With Redis down
 * nothing can be removed; the jobs then find no delivery when they run, and do nothing.
 */
export async function forgetJobs(deps: DeliveryDeps, jobs: DeliveryRef[]): Promise<DeliveryRef[]> {
  try {
    const removed = await Promise.all(jobs.map((j) => deps.queues.queueFor(j).remove(deliveryJobId(j.id, j.round))));
    const kept = jobs.filter((_, i) => removed[i] === 0);
    const states = await Promise.all(kept.map((j) => deps.queues.jobStateOf(j)));
    const running = kept.filter((_, i) => states[i] === 'active');
    if (running.length) {
      await deps.queues.add(
        'forget-jobs',
        { jobs: running },
        { delay: FORGET_RUNNING_AFTER_MS, attempts: 5, backoff: { type: 'exponential', delay: FORGET_RUNNING_AFTER_MS } },
      );
    }
    return running;
  } catch (err) {
    deps.logger.warn({ err: (err as Error).message, jobs: jobs.length }, 'could not remove the jobs of erased leads from Redis; they will find nothing to do');
    return jobs;
  }
}

/** A page of LEAD_RETENTION_DAYS work. */
export const RETENTION_BATCH = 500;

/**
 * Erases every lead older than `days`, a batch at a time, for at most `maxBatches` batches.
 * Returns how many it erased and whether any may be left.
 */
export async function eraseExpiredLeads(
  deps: DeliveryDeps,
  days: number,
  opts: { now?: Date; batchSize?: number; maxBatches?: number } = {},
): Promise<{ erased: number; complete: boolean }> {
  const createdBefore = new Date((opts.now ?? new Date()).getTime() - days * 24 * 3600 * 1000);
  const batchSize = opts.batchSize ?? RETENTION_BATCH;
  let erased = 0;
  for (let batch = 0; batch < (opts.maxBatches ?? 100); batch++) {
    const ids = await eraseLeads(deps, { createdBefore, limit: batchSize });
    erased += ids.length;
    if (ids.length < batchSize) return { erased, complete: true };
  }
  return { erased, complete: false };
}
