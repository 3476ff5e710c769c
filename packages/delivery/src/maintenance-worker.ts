import { JOBS, type RedisConnection } from '@crm-push/queue';
import { Worker } from 'bullmq';
import type { DeliveryDeps } from './deps';
import { eraseExpiredLeads, forgetJobs } from './erase-leads';
import { failOperation, resumeStalledOperations, runPushPendingStep } from './push-pending-operation';
import { trimHistory } from './retention';
import { runSweep, type SweepOptions, type SweepResult } from './sweep';

/** The job scheduler's id; every worker upserts the same one, so there is only ever one. */
export const SWEEP_SCHEDULER_ID = 'sweep';

/** The retention job's scheduler: once a day, like the sweep's, one for every worker. */
export const RETENTION_SCHEDULER_ID = 'retention';
const RETENTION_EVERY_MS = 24 * 3600 * 1000;

/** The LEAD_RETENTION_DAYS erasure's scheduler. */
export const LEAD_ERASURE_SCHEDULER_ID = 'erase-expired';

/** When a sweep or an erasure stopped at its limit, the next one comes this soon instead of a full period. */
const CONTINUE_AFTER_MS = 10_000;

/**
 * Creates (or leaves as it is) the sweep's job scheduler. Idempotent: the same id and period
 * keep the existing schedule, so every worker can call it at start and now and then.
 */
export async function ensureSweepScheduler(deps: DeliveryDeps): Promise<void> {
  await deps.queues.byKey.maintenance.upsertJobScheduler(
    SWEEP_SCHEDULER_ID,
    { every: deps.config.SWEEP_EVERY_MS },
    { name: 'sweep', data: {}, opts: { removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } } },
  );
}

async function ensureSchedulers(deps: DeliveryDeps): Promise<void> {
  await ensureSweepScheduler(deps);
  await deps.queues.byKey.maintenance.upsertJobScheduler(
    RETENTION_SCHEDULER_ID,
    { every: RETENTION_EVERY_MS },
    { name: 'retention', data: {}, opts: { removeOnComplete: { count: 10 }, removeOnFail: { count: 10 } } },
  );
}

/**
 * The daily erasure of expired leads, when LEAD_RETENTION_DAYS is set; removed when it is not,
 * so unsetting the variable stops it.
 */
export async function ensureRetentionScheduler(deps: DeliveryDeps): Promise<void> {
  const maintenance = deps.queues.byKey.maintenance;
  if (deps.config.LEAD_RETENTION_DAYS === undefined) {
    await maintenance.removeJobScheduler(LEAD_ERASURE_SCHEDULER_ID);
    return;
  }
  await maintenance.upsertJobScheduler(
    LEAD_ERASURE_SCHEDULER_ID,
    { every: RETENTION_EVERY_MS },
    { name: 'erase-expired', data: {}, opts: { removeOnComplete: { count: 30 }, removeOnFail: { count: 30 } } },
  );
}

export interface MaintenanceWorker {
  worker: Worker;
  close(): Promise<void>;
}

/**
 * The maintenance queue's worker (concurrency 1: sweeps and the daily retention trim) and their schedulers. The scheduler is
 * upserted at start, before each sweep and on a timer, so a Redis flush while workers run is
 * healed within a minute even though the flush took the scheduler with it.
 */
export async function createMaintenanceWorker(
  deps: DeliveryDeps,
  connection: RedisConnection,
  opts: { sweep?: SweepOptions } = {},
): Promise<MaintenanceWorker> {
  const queue = deps.queues.byKey.maintenance;
  const worker = new Worker(
    queue.name,
    async (job): Promise<unknown> => {
      if (job.name === 'retention') return trimHistory(deps);
      if (job.name === 'push-pending') return runPushPendingStep(deps, JOBS['push-pending'].payload.parse(job.data).operationId);
      if (job.name === 'erase-expired') return eraseExpired(deps);
      if (job.name === 'forget-jobs') {
        const left = await forgetJobs(deps, JOBS['forget-jobs'].payload.parse(job.data).jobs);
        // Still running (or Redis failed): BullMQ tries again with backoff.
        if (left.length) throw new Error(`${left.length} jobs of erased leads are still running`);
        return { removed: true };
      }
      if (job.name !== 'sweep') return undefined;
      await ensureSweepScheduler(deps);
      const result: SweepResult = await runSweep(deps, opts.sweep);
      await resumeStalledOperations(deps);
      if (result.ran && !result.complete) {
        await deps.queues.add(
          'sweep',
          {},
          { jobId: `sweep-more-${Date.now()}`, delay: Math.min(CONTINUE_AFTER_MS, deps.config.SWEEP_EVERY_MS), removeOnComplete: true, removeOnFail: true },
        );
      }
      return result;
    },
    { connection, prefix: queue.opts.prefix, concurrency: 1 },
  );
  worker.on('error', (err) => deps.logger.error({ err: err.message }, 'maintenance worker error'));
  worker.on('failed', (job, err) => {
    deps.logger.error({ job: job?.name, err: err.message }, 'maintenance job failed');
    const finalAttempt = job && job.attemptsMade >= (job.opts.attempts ?? 1);
    if (job?.name === 'push-pending' && finalAttempt) {
      void failOperation(deps, JOBS['push-pending'].payload.parse(job.data).operationId, err).catch(() => undefined);
    }
  });

  const heal = () =>
    Promise.all([ensureSchedulers(deps), ensureRetentionScheduler(deps)]).catch((err) =>
      deps.logger.warn({ err: (err as Error).message }, 'could not create the maintenance schedulers; retrying later'),
    );
  // Not awaited: a worker started while Redis is down must still start (its connection waits).
  void heal();
  const timer = setInterval(heal, Math.min(deps.config.SWEEP_EVERY_MS, 60_000));
  timer.unref();
  return {
    worker,
    async close() {
      clearInterval(timer);
      await worker.close();
    },
  };
}

/** One run of LEAD_RETENTION_DAYS; a run that stopped at its batch limit asks for another soon. */
async function eraseExpired(deps: DeliveryDeps) {
  const days = deps.config.LEAD_RETENTION_DAYS;
  if (days === undefined) return { erased: 0, complete: true };
  const result = await eraseExpiredLeads(deps, days);
  if (!result.complete) {
    await deps.queues.add(
      'erase-expired',
      {},
      { jobId: `erase-expired-more-${Date.now()}`, delay: CONTINUE_AFTER_MS, removeOnComplete: true, removeOnFail: true },
    );
  }
  return result;
}
