import { JOBS, QUEUE_NAMES } from '@crm-push/queue';
import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { DeliveryDeps } from './deps';
import { failOperation, resumeStalledOperations, runPushPendingStep } from './push-pending-operation';
import { runSweep, type SweepOptions, type SweepResult } from './sweep';

/** The job scheduler's id; every worker upserts the same one, so there is only ever one. */
export const SWEEP_SCHEDULER_ID = 'sweep';

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

export interface MaintenanceWorker {
  worker: Worker;
  close(): Promise<void>;
}

/**
 * The maintenance queue's worker (concurrency 1) and the sweep's scheduler. The scheduler is
 * upserted at start, before each sweep and on a timer, so a Redis flush while workers run is
 * healed within a minute even though the flush took the scheduler with it.
 */
export async function createMaintenanceWorker(
  deps: DeliveryDeps,
  connection: Redis,
  opts: { prefix?: string; sweep?: SweepOptions } = {},
): Promise<MaintenanceWorker> {
  const worker = new Worker(
    QUEUE_NAMES.maintenance,
    async (job): Promise<SweepResult | { status: string } | undefined> => {
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
    { connection, prefix: opts.prefix, concurrency: 1 },
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
    ensureSweepScheduler(deps).catch((err) => deps.logger.warn({ err: (err as Error).message }, 'could not create the sweep scheduler; retrying later'));
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
