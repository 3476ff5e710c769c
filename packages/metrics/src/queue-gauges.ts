import { Gauge, type Registry } from 'prom-client';

/** One queue's depth as read at a scrape (`Queues.backlogs()`); counts null when Redis did not answer. */
export interface QueueBacklog {
  queue: string;
  counts: Record<string, number> | null;
  /** Age of the oldest waiting job in ms, 0 when none waits. */
  oldestWaitingMs: number;
}

/** The queues to report, e.g. `() => deps.queues.backlogs()`; it must answer while Redis is down. */
export type QueueSource = () => Promise<QueueBacklog[]>;

/**
 * Queue depth and the age of the oldest waiting job, read from Redis at scrape time (BullMQ
 * keeps the counts; nothing needs updating on the hot path). A queue Redis cannot answer for
 * reports crm_push_queue_reachable 0 and no depth, instead of failing or hanging the whole scrape.
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
    for (const backlog of await queues()) {
      reachable.labels(backlog.queue).set(backlog.counts ? 1 : 0);
      if (!backlog.counts) continue;
      for (const [state, count] of Object.entries(backlog.counts)) depth.labels(backlog.queue, state).set(count);
      oldest.labels(backlog.queue).set(backlog.oldestWaitingMs / 1000);
    }
  }
}
