import { Prisma } from '@crm-push/db';
import type { DeliveryDeps } from './deps';

/*
 * How one job gathers a destination's other ready deliveries into its call.
 *
 * BullMQ (OSS) has no batches, and one job per delivery stays the durable, retried unit. The
 * claim lives in PostgreSQL, next to the status it guards, rather than in a Redis list of ready
 * ids: PostgreSQL is the truth the sweep and the invariant read, a claim and the outcome it leads
 * to are written to the same row, and a Redis list would be one more thing to lose on a flush
 * and rebuild. Claims of one destination take turns (an advisory transaction lock, one
 * statement long), so each takes a full batch; `FOR UPDATE SKIP LOCKED` passes over rows another
 * transaction is writing (a success being recorded) instead of waiting for them. `claimed_by` is the claimant's job id (stable
 * across its runs), so a claimant that was killed and runs again takes its own claims back at
 * once; anyone else waits for `claim_until`, the lease. The other deliveries' jobs, when they
 * run, find their delivery settled by the claimant (a no-op) or still claimed (they come back
 * later, without spending an attempt).
 *
 * Only `queued` deliveries are taken besides the claimant's own: a `retrying` one waits for its
 * own job's backoff.
 *
 * A claimed delivery is pushed by its claimant only. A lone lead's job keeps the claim on its own
 * delivery through its single push (runBatch's `alone`), because the delivery is still `queued`
 * during that call and any claimant of the destination would otherwise take it into a batch.
 */

/** Longer than any one batch call may take (the adapters time out well before). */
export const CLAIM_LEASE_MS = 60_000;

const UTC_NOW = Prisma.sql`(now() AT TIME ZONE 'UTC')`;

/** First key of the per-destination claim lock (the two-key space, apart from the sweep's). */
const CLAIM_LOCK_CLASS = 7301;

/**
 * Claims the claimant's own delivery (first) and up to `limit` deliveries of its destination in
 * all; returns the ids claimed. Without the claimant's own id in it, another job holds it.
 */
export async function claimBatch(
  deps: Pick<DeliveryDeps, 'db'>,
  opts: { destinationId: string; selfId: string; claimant: string; limit: number; leaseMs?: number },
): Promise<string[]> {
  const lease = Prisma.sql`${UTC_NOW} + make_interval(secs => ${(opts.leaseMs ?? CLAIM_LEASE_MS) / 1000}::float8)`;
  const claimable = Prisma.sql`(claim_until IS NULL OR claim_until < ${UTC_NOW} OR claimed_by = ${opts.claimant})`;
  // The others only if the claimant's own is free to take: a claimant that cannot have its own
  // (another claim holds or is taking it) must not hold a batch's worth of rows even for a moment,
  // or the claimants running beside it skip those rows and go with small batches.
  // The others from the newest end of the backlog: BullMQ hands jobs out in order, so the oldest
  // ready rows are those whose jobs the workers are running right now, each about to claim a batch
  // of its own. Taken into this one, those jobs would only find their rows gone and come back; the
  // newest rows' jobs are still waiting, and are removed unrun once the batch settles them
  // (rider-jobs.ts). So a backlog drains as many full batches side by side, not one at a time.
  // One claim of a destination at a time (a transaction lock, held for the one statement):
  // claimants racing through SKIP LOCKED would each take a slice of the same rows, and a burst
  // would go as many small batches instead of a few full ones.
  const lock = deps.db.$queryRaw`SELECT 1 FROM pg_advisory_xact_lock(${CLAIM_LOCK_CLASS}::int, hashtext(${opts.destinationId}))`;
  const claim = deps.db.$queryRaw<{ id: string; own: boolean }[]>`
    WITH own AS (
      SELECT id FROM deliveries
      WHERE id = ${opts.selfId} AND kind = 'crm' AND status IN ('queued', 'retrying') AND ${claimable}
      FOR UPDATE SKIP LOCKED
    ), others AS (
      SELECT id FROM deliveries
      WHERE EXISTS (SELECT 1 FROM own)
        AND destination_id = ${opts.destinationId} AND kind = 'crm' AND status = 'queued' AND id <> ${opts.selfId} AND ${claimable}
      ORDER BY id DESC
      LIMIT ${Math.max(0, opts.limit - 1)}
      FOR UPDATE SKIP LOCKED
    ), picked AS (
      SELECT id, true AS own FROM own UNION ALL SELECT id, false FROM others
    )
    UPDATE deliveries d SET claimed_by = ${opts.claimant}, claim_until = ${lease}
    FROM picked WHERE d.id = picked.id
    RETURNING d.id, picked.own`;
  const [, rows] = await deps.db.$transaction([lock, claim]);
  // The claimant's own first, as callers expect.
  return rows.sort((a, b) => Number(b.own) - Number(a.own)).map((r) => r.id);
}

/**
 * Lets go of claims. `holdMs`: nobody may take them again before then (a whole-call failure's
 * backoff, so the deliveries riding along are not retried at once by the next claimant).
 */
export async function releaseClaims(deps: Pick<DeliveryDeps, 'db'>, claimant: string, ids: string[], holdMs = 0): Promise<void> {
  if (!ids.length) return;
  const until = holdMs > 0 ? Prisma.sql`${UTC_NOW} + make_interval(secs => ${holdMs / 1000}::float8)` : Prisma.sql`NULL`;
  await deps.db.$executeRaw`
    UPDATE deliveries SET claimed_by = NULL, claim_until = ${until}
    WHERE id = ANY(${ids}::text[]) AND claimed_by = ${claimant}`;
}

/**
 * Lets go of every claim the claimant still holds except `keep` (those a failed call holds for
 * its backoff). By claimant, not by the ids of its last claim: a claim topped up after the
 * wait may have picked a different set, and what it no longer lists must not wait out a lease.
 */
export async function releaseAllClaims(deps: Pick<DeliveryDeps, 'db'>, claimant: string, keep: string[]): Promise<void> {
  await deps.db.$executeRaw`
    UPDATE deliveries SET claimed_by = NULL, claim_until = NULL
    WHERE claimed_by = ${claimant} AND NOT (id = ANY(${keep}::text[]))`;
}

/** How long until the claim on a delivery ends (0: nobody holds it). */
export function claimHeldForMs(delivery: { claimUntil: Date | null }, now = Date.now()): number {
  return delivery.claimUntil ? Math.max(0, delivery.claimUntil.getTime() - now) : 0;
}
