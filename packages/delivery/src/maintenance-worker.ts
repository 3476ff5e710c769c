import { createJobWorker, JOBS, type RedisConnection } from '@crm-push/queue';
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
  await deps.queues.schedule(SWEEP_SCHEDULER_ID, 'sweep', deps.config.SWEEP_EVERY_MS, 100);
}

async function ensureSchedulers(deps: DeliveryDeps): Promise<void> {
  await ensureSweepScheduler(deps);
  await deps.queues.schedule(RETENTION_SCHEDULER_ID, 'retention', RETENTION_EVERY_MS, 10);
}

/**
 * The daily erasure of expired leads, when LEAD_RETENTION_DAYS is set; removed when it is not,
 * so unsetting the variable stops it.
 */
export async function ensureRetentionScheduler(deps: DeliveryDeps): Promise<void> {
  if (deps.config.LEAD_RETENTION_DAYS === undefined) return deps.queues.unschedule(LEAD_ERASURE_SCHEDULER_ID);
  await deps.queues.schedule(LEAD_ERASURE_SCHEDULER_ID, 'erase-expired', RETENTION_EVERY_MS, 30);
}

export interface MaintenanceWorker {
  close(): Promise<void>;
}

/**
 * The maintenance queue's worker (concurrency 1: sweeps, retention, erasure, push-pending steps)
 * and their schedulers. The schedulers are upserted at start, before each sweep and on a timer,
 * so a Redis flush while workers run is healed within a minute even though it took them along.
 */
export async function createMaintenanceWorker(
  deps: DeliveryDeps,
  connection: RedisConnection,
  opts: { sweep?: SweepOptions } = {},
): Promise<MaintenanceWorker> {
  const worker = createJobWorker(
    deps.queues.layout.single('maintenance'),
    connection,
    {
      sweep: () => sweep(deps, opts.sweep),
      retention: () => trimHistory(deps),
      'push-pending': (job) => runPushPendingStep(deps, job.data.operationId),
      'erase-expired': () => eraseExpired(deps),
      'forget-jobs': async (job) => {
        const left = await forgetJobs(deps, job.data.jobs);
        // Still running (or Redis failed): BullMQ tries again with backoff.
        if (left.length) throw new Error(`${left.length} jobs of erased leads are still running`);
        return { removed: true };
      },
    },
    {
      concurrency: 1,
      onFailed: (job, err) => {
        deps.logger.error({ job: job?.name, err: err.message }, 'maintenance job failed');
        const finalAttempt = job && job.attemptsMade >= (job.opts.attempts ?? 1);
        if (job?.name === 'push-pending' && finalAttempt) {
          void failOperation(deps, JOBS['push-pending'].payload.parse(job.data).operationId, err).catch(() => undefined);
        }
      },
    },
  );
  worker.on('error', (err) => deps.logger.error({ err: err.message }, 'maintenance worker error'));

  const heal = () =>
    Promise.all([ensureSchedulers(deps), ensureRetentionScheduler(deps)]).catch((err) =>
      deps.logger.warn({ err: (err as Error).message }, 'could not create the maintenance schedulers; retrying later'),
    );
  // Not awaited: a worker started while Redis is down must still start (its connection waits).
  void heal();
  const timer = setInterval(heal, Math.min(deps.config.SWEEP_EVERY_MS, 60_000));
  timer.unref();
  return {
    async close() {
      clearInterval(timer);
      await worker.close();
    },
  };
}

/** One sweep; one that stopped at its limit asks for another soon. */
async function sweep(deps: DeliveryDeps, opts: SweepOptions | undefined): Promise<SweepResult> {
  await ensureSweepScheduler(deps);
  const result = await runSweep(deps, opts);
  await resumeStalledOperations(deps);
  if (result.ran && !result.complete) {
    await deps.queues.add(
      'sweep',
      {},
      { jobId: `sweep-more-${Date.now()}`, delay: Math.min(CONTINUE_AFTER_MS, deps.config.SWEEP_EVERY_MS), removeOnComplete: true, removeOnFail: true },
    );
  }
  return result;
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
