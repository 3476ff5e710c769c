import type { Prisma } from '@crm-push/db';
import type { DeliveryDeps } from './deps';
import { enqueueOrLeaveToSweep } from './leave-to-sweep';
import type { DeliveryStatus } from './lead-status';

/** Rows per page: one SELECT, one UPDATE … RETURNING and one addBulk per queue each. */
export const REQUEUE_PAGE_SIZE = 500;

/** Statuses that may be put back to `queued`; a succeeded delivery never is. */
const REQUEUEABLE: DeliveryStatus[] = ['queued', 'retrying', 'failed'];

export type RequeueReason = 'manual' | 'sweep' | 'push';

export interface RequeueWhere {
  accountId?: string;
  ids?: string[];
  destinationId?: string;
  errorCode?: string;
  /** Default: every status but `succeeded` (which is ignored when named). */
  statuses?: DeliveryStatus[];
}

export interface RequeuedDelivery {
  id: string;
  status: string;
  destinationId: string | null;
}

/**
 * Puts the matching deliveries back to `queued` for a fresh round of attempts and enqueues
 * them (admin panel, manual retry, push controls).
 *
 * - `attempts` is never reset: it counts every call ever made.
 * - `nextRetryAt` is cleared: the delivery is due now, not at a sweep.
 * - `sweeps`: a sweep adds one (that is the SWEEP_MAX budget); a manual retry or push resets it
 *   to 0, so an operator's retry does not consume the budget and, if that round fails too, the
 *   automatic sweeps start over from the shortest gap.
 * - A delivery whose job is still live (waiting, delayed between retries, running) keeps that
 *   job; no second job is made for it.
 * - Redis being down does not fail the call: the rows are `queued` in PostgreSQL and the sweep
 *   enqueues whatever has no job.
 */
export async function requeueDeliveries(
  deps: DeliveryDeps,
  where: RequeueWhere,
  opts: { reason: RequeueReason } = { reason: 'manual' },
): Promise<{ deliveries: RequeuedDelivery[] }> {
  const statuses = (where.statuses ?? REQUEUEABLE).filter((s) => s !== 'succeeded');
  if (!statuses.length || (where.ids && !where.ids.length)) return { deliveries: [] };
  const filter: Prisma.DeliveryWhereInput = {
    accountId: where.accountId,
    id: where.ids ? { in: where.ids } : undefined,
    destinationId: where.destinationId,
    lastErrorCode: where.errorCode,
    status: { in: statuses },
  };
  const deliveries: RequeuedDelivery[] = [];
  await requeuePages(deps, filter, opts.reason, (page) => {
    for (const d of page) deliveries.push({ id: d.id, status: d.status, destinationId: d.destinationId });
  });
  return { deliveries };
}

type RequeuedRow = { id: string; kind: string; status: string; destinationId: string | null; leadId: string };

/**
 * The paged core shared by manual retries, the push controls and the sweep: keyset pages on id,
 * each page re-checked by the UPDATE's own WHERE (a row that succeeded meanwhile is left alone),
 * then enqueued with one addBulk per queue. Returns how many rows were re-queued.
 */
export async function requeuePages(
  deps: DeliveryDeps,
  filter: Prisma.DeliveryWhereInput,
  reason: RequeueReason,
  onPage?: (rows: RequeuedRow[]) => void,
  opts: { pageSize?: number; shouldContinue?: () => Promise<boolean> } = {},
): Promise<{ requeued: number; complete: boolean }> {
  const pageSize = opts.pageSize ?? REQUEUE_PAGE_SIZE;
  const guarded: Prisma.DeliveryWhereInput = { AND: [filter, { status: { not: 'succeeded' } }] };
  let cursor: string | undefined;
  let requeued = 0;
  for (;;) {
    if (opts.shouldContinue && !(await opts.shouldContinue())) break;
    const ids = await deps.db.delivery.findMany({
      where: { AND: [guarded, cursor ? { id: { gt: cursor } } : {}] },
      select: { id: true },
      orderBy: { id: 'asc' },
      take: pageSize,
    });
    if (!ids.length) return counted(deps, reason, requeued, true);
    cursor = ids[ids.length - 1].id;
    const rows = await requeuePage(
      deps,
      guarded,
      ids.map((r) => r.id),
      reason,
    );
    requeued += rows.length;
    onPage?.(rows);
    if (ids.length < pageSize) return counted(deps, reason, requeued, true);
  }
  return counted(deps, reason, requeued, false);
}

function counted(deps: DeliveryDeps, reason: RequeueReason, requeued: number, complete: boolean) {
  if (requeued) deps.metrics?.deliveriesRequeued(reason, requeued);
  return { requeued, complete };
}

async function requeuePage(deps: DeliveryDeps, guarded: Prisma.DeliveryWhereInput, ids: string[], reason: RequeueReason): Promise<RequeuedRow[]> {
  const rows = await deps.db.$transaction(async (tx) => {
    const updated = await tx.delivery.updateManyAndReturn({
      where: { AND: [guarded, { id: { in: ids } }] },
      data: { status: 'queued', nextRetryAt: null, sweeps: reason === 'sweep' ? { increment: 1 } : 0 },
      select: { id: true, kind: true, status: true, destinationId: true, leadId: true },
    });
    // A failed lead with a queued CRM delivery is pending again (a synced lead stays synced).
    // Row-locking UPDATE, so it serialises with refreshLeadStatus of a delivery finishing now.
    const leadIds = [...new Set(updated.filter((d) => d.kind === 'crm').map((d) => d.leadId))];
    if (leadIds.length) await tx.lead.updateMany({ where: { id: { in: leadIds }, status: 'failed' }, data: { status: 'pending' } });
    return updated;
  });
  await enqueueOrLeaveToSweep(
    deps,
    rows.map((r) => ({ id: r.id, kind: r.kind, destinationId: r.destinationId })),
    'fresh',
  );
  return rows;
}
