import { Prisma } from '@crm-push/db';
import { deferJob, type QueueJob } from '@crm-push/queue';
import { CLAIM_LEASE_MS } from './batch-claim';
import type { EffectiveBatch } from './batch-settings';
import { BULK_DESTINATION_TYPES, BULK_MAX_RECORDS, BULK_POLL_TIMEOUT_MS, BULK_THRESHOLD } from './bulk-call';
import type { DeliveryDeps } from './deps';
import type { LoadedDelivery } from './load-delivery';
import type { BatchOutcome } from './process-batch';

/*
 * A large backlog of one Salesforce destination goes as Bulk API 2.0 jobs instead of Collections.
 *
 * Design: a Bulk job is a batch with a bigger claim, not a second pipeline. When more than
 * BULK_THRESHOLD ready deliveries of the destination are free, the job at hand claims up to
 * BULK_MAX_RECORDS of them (its own first) and runs the ordinary batch path (process-batch.ts)
 * with that size; prepareBatchCall sees a bulk-sized batch and makes it one Bulk job
 * (bulk-call.ts). So every record's result lands on its delivery exactly as a Collections result
 * does (succeeded with its external id, refused alone with the vendor's code, a failure of the
 * whole job retries them all), attempt rows carry batchSize, lanes and metrics see one call.
 * One BullMQ job per delivery stays the durable unit, and the claim is the same PostgreSQL
 * claim (batch-claim.ts): `claimed_by` is the claimant's job id, so a killed claimant's rerun
 * takes its claim back at once, and the other deliveries' jobs find their rows settled or held.
 *
 * What differs from a Collections batch, and why:
 * - The lease is as long as a Bulk job may take (poll timeout and the upload and result reads
 *   around it), or the claim would end while Salesforce is still writing and a second claimant
 *   would send the same records again.
 * - Claims of one destination's backlog are taken one at a time (a transaction-scoped advisory
 *   lock), counted inside the claiming statement: jobs of a backlog start together, and
 *   claiming side by side would split it into many small jobs, none of them bulk-sized. A job
 *   that finds another claiming at that moment looks again shortly; by then its row is held.
 * - Riders look again at most every BULK_RECHECK_MS instead of every CLAIM_RECHECK_MS (10 000
 *   jobs polling twice a second would starve the workers); once the job is done the claimant
 *   removes the jobs of the riders it settled and wakes the rest (rider-jobs.ts).
 * - A backlog has to be ready to be seen: push-pending creates deliveries page by page and the
 *   workers would take each page in Collections as it lands. So while the account's push-pending
 *   still has more than BULK_THRESHOLD deliveries to hand out, a delivery it just created waits
 *   up to BULK_GATHER_MS from its creation for the backlog to build (as a lone lead waits
 *   maxWaitMs for company): the new ones are enqueued with that delay (push-pending-operation.ts),
 *   a re-queued one defers once; no polling, and seconds are nothing to an import.
 *   The sweep's backlog (deliveries whose jobs Redis lost) is ready at once and needs no wait.
 *
 * Inserting by Bulk is not idempotent: a claimant killed after Salesforce finished its job sends
 * the records again on its rerun, as a killed Collections claimant repeats its one call.
 */

/** A Bulk claim is held this long: the longest a job may take, plus its upload and result reads. */
const BULK_LEASE_MS = BULK_POLL_TIMEOUT_MS + 5 * 60_000;

/** How often the job of a delivery inside another job's Bulk claim looks again (it is woken when the job is done). */
export const BULK_RECHECK_MS = 30_000;

/** How long a delivery a running push-pending just created may wait for the backlog to reach Bulk size. */
export const BULK_GATHER_MS = 15_000;

/** How soon a job that found another job claiming its destination's backlog looks again. */
const BUSY_RECHECK_MS = 500;

const UTC_NOW = Prisma.sql`(now() AT TIME ZONE 'UTC')`;

type Claimed = { id: string };

/**
 * The processor's hook: runs `run` (the batch path) with a Bulk-sized claim when the delivery's
 * destination has a bulk-sized backlog, otherwise with the destination's own batch settings.
 */
export async function viaBulkBacklog(
  deps: DeliveryDeps,
  job: QueueJob,
  token: string | undefined,
  delivery: LoadedDelivery,
  batch: EffectiveBatch,
  run: (batch: EffectiveBatch) => Promise<BatchOutcome>,
): Promise<BatchOutcome> {
  if (!BULK_DESTINATION_TYPES.has(delivery.destination!.type)) return run(batch);
  // Gathering first: while its import is still being handed out, a delivery does not count the
  // backlog (a scan of up to BULK_THRESHOLD rows) only to wait anyway.
  const gatherMs = await gatherWaitMs(deps, delivery);
  if (gatherMs > 0) return await deferJob(job, token, gatherMs);
  const claimed = await claimBacklog(deps, delivery, job.id ?? delivery.id);
  if (claimed === 'busy') return await deferJob(job, token, BUSY_RECHECK_MS);
  if (!claimed.length) return run(batch);
  // The batch path finishes the riders' jobs once their records' results are written (rider-jobs.ts).
  return run({ maxSize: BULK_MAX_RECORDS, maxWaitMs: 0, leaseMs: BULK_LEASE_MS });
}

/** A claim held longer than any batch call's lease is a Bulk job's: its riders wait longer between looks. */
export function isBulkClaim(heldMs: number): boolean {
  return heldMs > CLAIM_LEASE_MS;
}

/**
 * Claims the delivery and up to BULK_MAX_RECORDS - 1 free queued deliveries of its destination
 * for `claimant`, but only if that makes more than BULK_THRESHOLD; otherwise claims nothing.
 * 'busy': another job is claiming this destination's backlog right now.
 */
async function claimBacklog(deps: DeliveryDeps, delivery: LoadedDelivery, claimant: string): Promise<Claimed[] | 'busy'> {
  const destinationId = delivery.destinationId!;
  const free = Prisma.sql`(claim_until IS NULL OR claim_until < ${UTC_NOW} OR claimed_by = ${claimant})`;
  // Read first, without a lock: most jobs of a destination find no bulk-sized backlog.
  const [{ ready }] = await deps.db.$queryRaw<{ ready: bigint }[]>`
    SELECT count(*) AS ready FROM (
      SELECT 1 FROM deliveries
      WHERE destination_id = ${destinationId} AND kind = 'crm' AND status = 'queued' AND ${free}
      LIMIT ${BULK_THRESHOLD + 1}
    ) AS backlog`;
  if (Number(ready) <= BULK_THRESHOLD) return [];
  const lease = Prisma.sql`${UTC_NOW} + make_interval(secs => ${BULK_LEASE_MS / 1000}::float8)`;
  return deps.db.$transaction(
    async (tx) => {
      const [{ locked }] = await tx.$queryRaw<{ locked: boolean }[]>`
        SELECT pg_try_advisory_xact_lock(hashtextextended(${`bulk-claim:${destinationId}`}, 0)) AS locked`;
      if (!locked) return 'busy';
      return tx.$queryRaw<Claimed[]>`
        WITH own AS (
          SELECT id FROM deliveries
          WHERE id = ${delivery.id} AND status IN ('queued', 'retrying') AND ${free}
          FOR UPDATE SKIP LOCKED
        ), others AS (
          SELECT id FROM deliveries
          WHERE destination_id = ${destinationId} AND kind = 'crm' AND status = 'queued' AND id <> ${delivery.id} AND ${free}
            AND EXISTS (SELECT 1 FROM own)
          ORDER BY id
          LIMIT ${BULK_MAX_RECORDS - 1}
          FOR UPDATE SKIP LOCKED
        ), picked AS (
          SELECT id FROM own UNION ALL SELECT id FROM others
        )
        UPDATE deliveries d SET claimed_by = ${claimant}, claim_until = ${lease}
        FROM picked WHERE d.id = picked.id AND (SELECT count(*) FROM picked) > ${BULK_THRESHOLD}
        RETURNING d.id`;
    },
    { timeout: 30_000, maxWait: 10_000 },
  );
}

/**
 * How long a delivery waits for its push-pending to build a bulk-sized backlog: until it is
 * BULK_GATHER_MS old, while the account's running operation still has more than BULK_THRESHOLD
 * deliveries to hand out; 0 otherwise.
 */
async function gatherWaitMs(deps: DeliveryDeps, delivery: LoadedDelivery): Promise<number> {
  const waitMs = delivery.createdAt.getTime() + BULK_GATHER_MS - Date.now();
  if (waitMs <= 0) return 0;
  const operation = await deps.db.operation.findFirst({
    where: { accountId: delivery.accountId, type: 'push-pending', status: 'running' },
    select: { deliveries: true, progressDeliveries: true },
  });
  return operation && stillGathering(operation) ? waitMs : 0;
}

/** Whether a push-pending still has more than a Bulk job's threshold to hand out: its new deliveries wait for the backlog. */
export function stillGathering(operation: { deliveries: number; progressDeliveries: number }): boolean {
  return operation.deliveries - operation.progressDeliveries > BULK_THRESHOLD;
}
