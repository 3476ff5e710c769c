import { DeliveryError } from '@crm-push/outbound';
import type { DeliveryDeps } from './deps';
import { createDeliveryStore } from './delivery-store';
import { processDelivery } from './process-delivery';
import { backoffDelay, QUEUE_NAMES, type QueueKey } from '@crm-push/queue';
import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';

/**
 * A BullMQ worker for one delivery queue. BullMQ owns the retries: attempts come from the job,
 * delays from this backoff strategy, which reads a vendor's Retry-After off the DeliveryError.
 */
export function createDeliveryWorker(
  deps: DeliveryDeps,
  queue: QueueKey,
  connection: Redis,
  opts: { concurrency: number; prefix?: string; lockDurationMs?: number; stalledIntervalMs?: number },
) {
  const policy = { baseMs: deps.config.RETRY_BASE_MS, maxMs: deps.config.RETRY_MAX_MS };
  const store = createDeliveryStore(deps);
  const worker = new Worker(QUEUE_NAMES[queue], (job) => processDelivery(deps, store, job), {
    connection,
    prefix: opts.prefix,
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
  worker.on('error', (err) => deps.logger.error({ err: err.message, queue }, 'worker error'));
  return worker;
}
