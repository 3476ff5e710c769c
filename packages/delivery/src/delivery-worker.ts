import { DeliveryError } from '@crm-push/outbound';
import type { DeliveryDeps } from './deps';
import { createDeliveryStore } from './delivery-store';
import { processDelivery } from './process-delivery';
import { backoffDelay, type RedisConnection } from '@crm-push/queue';
import { Worker, type Queue } from 'bullmq';

type WorkerOptions = { concurrency: number; lockDurationMs?: number; stalledIntervalMs?: number };

/** One worker per shard of the CRM and action queues: a process serves every shard. */
export function createDeliveryWorkers(deps: DeliveryDeps, connection: RedisConnection, opts: WorkerOptions): Worker[] {
  return deps.queues.deliveryQueues().map((queue) => createDeliveryWorker(deps, queue, connection, opts));
}

/**
 * A BullMQ worker for one delivery queue (one shard), at the producer queue's name and prefix. BullMQ owns the retries: attempts come from the job,
 * delays from this backoff strategy, which reads a vendor's Retry-After off the DeliveryError.
 */
export function createDeliveryWorker(deps: DeliveryDeps, queue: Queue, connection: RedisConnection, opts: WorkerOptions) {
  const policy = { baseMs: deps.config.RETRY_BASE_MS, maxMs: deps.config.RETRY_MAX_MS };
  const store = createDeliveryStore(deps);
  const worker = new Worker(queue.name, (job, token) => processDelivery(deps, store, job, token), {
    connection,
    prefix: queue.opts.prefix,
    concurrency: opts.concurrency,
    // A killed worker's jobs come back after the lock expires and a stalled check sees it; one
    // stall is forgiven (the job runs again), a second fails the job and the sweep takes over.
    // (An undefined option would override BullMQ's default, hence the spreads.)
    ...(opts.lockDurationMs ? { lockDuration: opts.lockDurationMs } : {}),
    ...(opts.stalledIntervalMs ? { stalledInterval: opts.stalledIntervalMs } : {}),
    maxStalledCount: 1,
    settings: {
      backoffStrategy: (attemptsMade: number, _type?: string, err?: Error) =>
        backoffDelay(attemptsMade, policy, err instanceof DeliveryError ? err.retryAfterMs : undefined),
    },
  });
  worker.on('error', (err) => deps.logger.error({ err: err.message, queue: queue.name }, 'worker error'));
  return worker;
}
