import { DeliveryError } from '@crm-push/outbound';
import { backoffDelay, createJobWorker, type RedisConnection } from '@crm-push/queue';
import type { DeliveryDeps } from './deps';
import { createDeliveryStore } from './delivery-store';
import { processDelivery, type DeliveryJob } from './process-delivery';

type WorkerOptions = { concurrency: number; lockDurationMs?: number; stalledIntervalMs?: number };

/**
 * One worker per shard of the CRM and action queues (a process serves every shard), at the
 * producers' queue names and prefixes. BullMQ owns the retries: attempts come from the job, delays
 * from this backoff, which reads a vendor's Retry-After off the DeliveryError. A killed worker's
 * jobs come back after the lock expires and a stalled check sees it; one stall is forgiven (the
 * job runs again), a second fails the job and the sweep takes over.
 */
export function createDeliveryWorkers(deps: DeliveryDeps, connection: RedisConnection, opts: WorkerOptions) {
  const policy = { baseMs: deps.config.RETRY_BASE_MS, maxMs: deps.config.RETRY_MAX_MS };
  const store = createDeliveryStore(deps);
  const run = (job: DeliveryJob, token: string | undefined) => processDelivery(deps, store, job, token);
  const workerOpts = {
    ...opts,
    backoff: (attemptsMade: number, err?: Error) => backoffDelay(attemptsMade, policy, err instanceof DeliveryError ? err.retryAfterMs : undefined),
  };
  const { layout } = deps.queues;
  const workers = [
    ...layout.shardsOf('crm').map((address) => createJobWorker(address, connection, { crm: run }, workerOpts)),
    ...layout.shardsOf('action').map((address) => createJobWorker(address, connection, { action: run }, workerOpts)),
  ];
  for (const worker of workers) worker.on('error', (err) => deps.logger.error({ err: err.message, queue: worker.name }, 'worker error'));
  return workers;
}
