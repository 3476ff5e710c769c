import { JOBS, type RedisConnection } from '@crm-push/queue';
import { Worker } from 'bullmq';
import type { DeliveryDeps } from './deps';
import { failOperation, resumeStalledOperations, runPushPendingStep } from './push-pending-operation';
import { trimHistory, type RetentionResult } from './retention';
import { runSweep, type SweepOptions, type SweepResult } from './sweep';

/** The job scheduler's id; every worker upserts the same one, so there is only ever one. */
export const SWEEP_SCHEDULER_ID = 'sweep';

/** The retention job's scheduler: once a day, like the sweep's, one for every worker. */
export const RETENTION_SCHEDULER_ID = 'retention';
const RETENTION_EVERY_MS = 24 * 3600 * 1000;

/** When a sweep stopped at the backlog limit, the next one comes this soon instead of a full period. */
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
    async (job): Promise<SweepResult | RetentionResult | { status: string } | undefined> => {
      if (job.name === 'retention') return trimHistory(deps);
      if (job.name === 'push-pending') return runPushPendingStep(deps, JOBS['push-pending'].payload.parse(job.data).operationId);
      if (job.name !== 'sweep') return undefined;
      await ensureSweepScheduler(deps);
      const result = await runSweep(deps, opts.sweep);
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
    ensureSchedulers(deps).catch((err) => deps.logger.warn({ err: (err as Error).message }, 'could not create the sweep scheduler; retrying later'));
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
