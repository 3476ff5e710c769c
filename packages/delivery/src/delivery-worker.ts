import { CrmError } from '@crm-push/crm';
import type { DeliveryDeps } from './deps';
import { processDelivery } from './process-delivery';
import { backoffDelay, QUEUE_NAMES, type QueueKey } from '@crm-push/queue';
import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';

/**
 * A BullMQ worker for one delivery queue. BullMQ owns the retries: attempts come from the job,
 * delays from this backoff strategy, which reads a vendor's Retry-After off the CrmError.
 */
export function createDeliveryWorker(deps: DeliveryDeps, queue: QueueKey, connection: Redis, opts: { concurrency: number; prefix?: string }) {
  const policy = { baseMs: deps.config.RETRY_BASE_MS, maxMs: deps.config.RETRY_MAX_MS };
  const worker = new Worker(QUEUE_NAMES[queue], (job) => processDelivery(deps, job), {
    connection,
    prefix: opts.prefix,
    concurrency: opts.concurrency,
    settings: {
      backoffStrategy: (attemptsMade: number, _type?: string, err?: Error) =>
        backoffDelay(attemptsMade, policy, err instanceof CrmError ? err.retryAfterMs : undefined),
    },
  });
  worker.on('error', (err) => deps.logger.error({ err: err.message, queue }, 'worker error'));
  return worker;
}
