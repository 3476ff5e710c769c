import type { Queue } from 'bullmq';
import { Gauge, type Registry } from 'prom-client';

/** The queues to report, e.g. `() => deps.queues.all()`. */
export type QueueSource = () => Queue[];

/** A scrape must answer while Redis is down: BullMQ waits for a connection indefinitely. */
const READ_TIMEOUT_MS = 2000;

const STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'completed', 'failed'] as const;

/**
 * Queue depth and the age of the oldest waiting job, read from Redis at scrape time (BullMQ
 * keeps the counts; nothing needs updating on the hot path). A queue Redis cannot answer for
 * reports crm_push_queue_reachable 0 and no depth (after at most READ_TIMEOUT_MS), instead of
 * failing or hanging the whole scrape.
 */
export function registerQueueGauges(registry: Registry, queues: QueueSource): void {
  // prom-client asks every metric at once; the three gauges share one read of Redis per scrape.
  let inFlight: Promise<void> | undefined;
  const refresh = () => (inFlight ??= readAll().finally(() => (inFlight = undefined)));

  const depth = new Gauge({
    name: 'crm_push_queue_jobs',
    help: 'Jobs in each BullMQ queue by state (completed and failed are the ones still kept in Redis).',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    collect: refresh,
  });
  const oldest = new Gauge({
    name: 'crm_push_queue_oldest_waiting_job_age_seconds',
    help: 'Age of the oldest job waiting to be picked up, since it was added (0 when none waits).',
    labelNames: ['queue'] as const,
    registers: [registry],
    collect: refresh,
  });
  const reachable = new Gauge({
    name: 'crm_push_queue_reachable',
    help: '1 when the queue figures above could be read from Redis at this scrape, 0 otherwise.',
    labelNames: ['queue'] as const,
    registers: [registry],
    collect: refresh,
  });

  async function readAll(): Promise<void> {
    depth.reset();
    oldest.reset();
    await Promise.all(queues().map((q) => readQueue(q)));
  }

  async function readQueue(queue: Queue): Promise<void> {
    try {
      const [counts, [first]] = await withTimeout(Promise.all([queue.getJobCounts(...STATES), queue.getJobs(['wait'], 0, 0, true)]));
      for (const state of STATES) depth.labels(queue.name, state).set(counts[state] ?? 0);
      oldest.labels(queue.name).set(first ? Math.max(0, (Date.now() - first.timestamp) / 1000) : 0);
      reachable.labels(queue.name).set(1);
    } catch {
      reachable.labels(queue.name).set(0);
    }
  }
}

function withTimeout<T>(promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out reading the queue')), READ_TIMEOUT_MS).unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
