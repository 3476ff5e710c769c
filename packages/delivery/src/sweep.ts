import type { Prisma } from '@crm-push/db';
import type { DeliveryDeps } from './deps';
import { REQUEUE_PAGE_SIZE, requeuePages } from './requeue';

/** pg advisory lock key of the sweep: one sweep at a time, however many workers run. */
export const SWEEP_LOCK_KEY = 4247104;

export interface SweepOptions {
  /**
   * A queued/retrying delivery touched more recently than this is not checked for a missing
   * job: the api enqueues right after its commit, and the sweep must not race it.
   * @defaultValue min(SWEEP_EVERY_MS, 30 s)
   */
  graceMs?: number;
  /**
   * The sweep stops adding jobs while the delivery queues already hold this many waiting or
   * delayed jobs, so a 100 000-delivery backlog reaches Redis in steps, not at once; the rest
   * is taken by the next sweep (the maintenance worker schedules one soon when this happens).
   * @defaultValue 20 000
   */
  backlogLimit?: number;
  pageSize?: number;
  now?: Date;
}

export interface SweepResult {
  /** false: another sweep held the lock; nothing was done. */
  ran: boolean;
  /** Failed deliveries given a new round. */
  failed: number;
  /** Queued/retrying deliveries whose job was gone from Redis. */
  lost: number;
  /** false: stopped at the backlog limit; more is left for the next sweep. */
  complete: boolean;
}

/**
 * The scheduled sweep. PostgreSQL is the truth and Redis only a hint, so this re-creates every
 * hint that should exist: (1) failed deliveries whose last error was retryable and whose
 * nextRetryAt has passed get a fresh round (at most SWEEP_MAX times; the gap grows via
 * sweepDelay in record-outcome); (2) queued/retrying deliveries whose job is not live in Redis
 * (a flush, an outage at ingest, a job failed by a database outage) are enqueued again.
 */
export async function runSweep(deps: DeliveryDeps, opts: SweepOptions = {}): Promise<SweepResult> {
  return withSweepLock(deps, async () => {
    const now = opts.now ?? new Date();
    const backlogLimit = opts.backlogLimit ?? 20_000;
    const shouldContinue = async () => (await backlog(deps)) < backlogLimit;
    const failed = await requeuePages(deps, dueFailedFilter(deps, now), 'sweep', undefined, { pageSize: opts.pageSize, shouldContinue });
    if (!failed.complete) return { ran: true, failed: failed.requeued, lost: 0, complete: false };
    const graceMs = opts.graceMs ?? Math.min(deps.config.SWEEP_EVERY_MS, 30_000);
    const lost = await enqueueLost(deps, new Date(now.getTime() - graceMs), opts.pageSize ?? REQUEUE_PAGE_SIZE, shouldContinue);
    const result = { ran: true, failed: failed.requeued, lost: lost.enqueued, complete: lost.complete };
    if (result.failed || result.lost) deps.logger.info(result, 'sweep re-queued deliveries');
    deps.metrics?.sweepCompleted({ requeued: result.failed + result.lost });
    if (result.lost) deps.metrics?.deliveriesRequeued('lost-job', result.lost);
    return result;
  });
}

function dueFailedFilter(deps: DeliveryDeps, now: Date): Prisma.DeliveryWhereInput {
  return {
    status: 'failed',
    lastErrorRetryable: true,
    nextRetryAt: { lte: now },
    sweeps: { lt: deps.config.SWEEP_MAX },
    // A disabled destination's deliveries wait (budget untouched) until it is enabled again,
    // instead of being failed for good as DESTINATION_DISABLED.
    OR: [{ kind: { not: 'crm' } }, { destination: { enabled: true, deletedAt: null } }],
  };
}

/**
 * Pages through queued/retrying deliveries older than the grace period and enqueues those
 * without a live job. Their rows are left as they are: a lost job is not a failed round, so no
 * sweep is counted.
 */
async function enqueueLost(deps: DeliveryDeps, touchedBefore: Date, pageSize: number, shouldContinue: () => Promise<boolean>) {
  let cursor: string | undefined;
  let enqueued = 0;
  for (;;) {
    if (!(await shouldContinue())) return { enqueued, complete: false };
    const page = await deps.db.delivery.findMany({
      where: { status: { in: ['queued', 'retrying'] }, updatedAt: { lt: touchedBefore }, id: cursor ? { gt: cursor } : undefined },
      select: { id: true, kind: true, destinationId: true },
      orderBy: { id: 'asc' },
      take: pageSize,
    });
    if (!page.length) return { enqueued, complete: true };
    cursor = page[page.length - 1].id;
    // enqueueFresh leaves live jobs alone and replaces missing or finished ones.
    enqueued += (await deps.queues.enqueueFresh(page)).enqueued;
    if (page.length < pageSize) return { enqueued, complete: true };
  }
}

/** Jobs waiting or delayed in the delivery queues, every shard included. */
async function backlog(deps: DeliveryDeps): Promise<number> {
  const counts = await Promise.all(deps.queues.deliveryQueues().map((q) => q.getJobCountByTypes('wait', 'delayed', 'prioritized')));
  return counts.reduce((a, b) => a + b, 0);
}

/**
 * Runs `fn` while holding a transaction-scoped advisory lock; another holder means another
 * sweep is running, so this one does nothing. The transaction only holds the lock: the work
 * itself commits page by page on other connections, so its rows are visible to the workers at
 * once. A crashed process's connection closes and PostgreSQL releases the lock.
 */
async function withSweepLock(deps: DeliveryDeps, fn: () => Promise<SweepResult>): Promise<SweepResult> {
  return deps.db.$transaction(
    async (tx) => {
      const [{ locked }] = await tx.$queryRaw<{ locked: boolean }[]>`SELECT pg_try_advisory_xact_lock(${SWEEP_LOCK_KEY}::bigint) AS locked`;
      if (!locked) return { ran: false, failed: 0, lost: 0, complete: true };
      return fn();
    },
    // A large backlog takes a while; the lock must outlive it.
    { timeout: 30 * 60 * 1000, maxWait: 10_000 },
  );
}
