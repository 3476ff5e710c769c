import { withTimeout } from '@crm-push/config';
import { Queue, type JobsOptions } from 'bullmq';
import type { RedisConnection } from './connection';
import { JOBS, type JobName, type JobPayload } from './job-catalog';
import type { JobNameIn } from './job-worker';
import { QueueLayout, type QueueAddress, type QueueLayoutOptions, type ShardedQueueKey } from './queue-layout';
import { deliveryClassOf, type QueueKey } from './queue-names';

/** The job states a backlog reports: the live ones, and the finished ones Redis still keeps. */
const BACKLOG_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'completed', 'failed'] as const;

export interface QueueBacklog {
  queue: string;
  /** Jobs by state; null when Redis did not answer in time. */
  counts: Record<string, number> | null;
  /** Age of the oldest waiting job, 0 when none waits. */
  oldestWaitingMs: number;
}

/** Finished jobs stay visible in Bull Board for a while, then go, so Redis does not grow. */
const KEEP_FINISHED: Pick<JobsOptions, 'removeOnComplete' | 'removeOnFail'> = {
  removeOnComplete: { age: 24 * 3600, count: 5000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 20000 },
};

/**
 * States in which a job will still run; any other (completed, failed, missing) may be replaced.
 * A delayed job (between retries, or held back by a throttled lane) is live.
 */
export const LIVE_JOB_STATES: ReadonlySet<string> = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);

/**
 * The job id of a delivery's push round: the delivery id for round 1, `<id>-<round>` after
 * explicit pushes. One live job per round, and a new round never waits behind an old job.
 */
export function deliveryJobId(deliveryId: string, round = 1): string {
  return round > 1 ? `${deliveryId}-${round}` : deliveryId;
}

/** Maintenance jobs that take no payload: the ones a schedule can run. */
export type ScheduledJobName = { [N in JobNameIn<'maintenance'>]: Record<never, never> extends JobPayload<N> ? N : never }[JobNameIn<'maintenance'>];

export interface RetryPolicy {
  /** RETRY_ATTEMPTS: retries after the first attempt. */
  retries: number;
}

export interface DeliveryRef {
  id: string;
  kind: string;
  /** A CRM delivery's destination: it picks the shard, so a destination's jobs stay in one queue. */
  destinationId?: string | null;
  /** The delivery's push round; 1 when omitted. */
  round?: number;
}

export class Queues {
  /** Each key's first (with one shard: only) queue. */
  readonly byKey: Record<QueueKey, Queue>;
  readonly layout: QueueLayout;
  private readonly shardQueues: Record<ShardedQueueKey, Queue[]>;

  constructor(
    private readonly connection: RedisConnection,
    private readonly retry: RetryPolicy,
    layout: QueueLayout | QueueLayoutOptions = {},
  ) {
    this.layout = layout instanceof QueueLayout ? layout : new QueueLayout(layout);
    const make = (a: QueueAddress) => new Queue(a.name, { connection, prefix: a.prefix });
    this.shardQueues = { crm: this.layout.shardsOf('crm').map(make), action: this.layout.shardsOf('action').map(make) };
    this.byKey = {
      crm: this.shardQueues.crm[0],
      action: this.shardQueues.action[0],
      sources: make(this.layout.single('sources')),
      maintenance: make(this.layout.single('maintenance')),
    };
  }

  /** Every queue, every shard included (Bull Board, metrics). */
  all(): Queue[] {
    return [...this.shardQueues.crm, ...this.shardQueues.action, this.byKey.sources, this.byKey.maintenance];
  }

  /** Every shard of the CRM and action queues: what each worker process serves. */
  deliveryQueues(): Queue[] {
    return [...this.shardQueues.crm, ...this.shardQueues.action];
  }

  /** The queue a delivery's job lives in: its class's queue, in its destination's shard. */
  queueFor(ref: DeliveryRef): Queue {
    const key: ShardedQueueKey = deliveryClassOf(ref.kind);
    // Flow actions have no destination lane; their own id spreads them evenly.
    return this.shardQueues[key][this.layout.shardOf(ref.destinationId ?? ref.id)];
  }

  /** Job options of a delivery's round: the job id is derived from both, so a duplicate enqueue is a no-op. */
  deliveryJobOptions(deliveryId: string, round = 1): JobsOptions {
    return {
      jobId: deliveryJobId(deliveryId, round),
      attempts: this.retry.retries + 1,
      backoff: { type: 'delivery' },
      ...KEEP_FINISHED,
    };
  }

  /** Enqueues deliveries (new ones: no job can exist yet), in bulk per queue. */
  async enqueueNew(deliveries: DeliveryRef[], delayMs = 0): Promise<void> {
    await this.addBulk(deliveries, delayMs);
  }

  /**
   * Enqueues deliveries for a fresh round of attempts (sweep, manual retry, push controls): a
   * live job is left alone, a finished one under the same id is removed first, a missing one is
   * simply added. States are read concurrently, so a page of 500 costs one round of reads.
   */
  async enqueueFresh(deliveries: DeliveryRef[]): Promise<{ enqueued: number; alreadyLive: number }> {
    const states = await Promise.all(deliveries.map((d) => this.jobStateOf(d)));
    const fresh = deliveries.filter((_, i) => !LIVE_JOB_STATES.has(states[i]));
    const finished = deliveries.filter((_, i) => states[i] === 'completed' || states[i] === 'failed');
    await Promise.all(finished.map((d) => this.queueFor(d).remove(deliveryJobId(d.id, d.round))));
    await this.addBulk(fresh);
    return { enqueued: fresh.length, alreadyLive: deliveries.length - fresh.length };
  }

  /**
   * Each queue's job counts by state and the age of its oldest waiting job, read from Redis (what
   * the metrics report). A queue Redis does not answer for within `timeoutMs` has counts null:
   * BullMQ would wait for a connection indefinitely.
   */
  backlogs(timeoutMs = 2000): Promise<QueueBacklog[]> {
    return Promise.all(
      this.all().map(async (queue) => {
        try {
          const [counts, [first]] = await withTimeout(Promise.all([queue.getJobCounts(...BACKLOG_STATES), queue.getJobs(['wait'], 0, 0, true)]), timeoutMs);
          return { queue: queue.name, counts, oldestWaitingMs: first ? Math.max(0, Date.now() - first.timestamp) : 0 };
        } catch {
          return { queue: queue.name, counts: null, oldestWaitingMs: 0 };
        }
      }),
    );
  }

  /** Whether the producer connection is up: enqueues fail fast instead of waiting when it is not. */
  get connected(): boolean {
    return this.connection.status === 'ready';
  }

  async add<N extends JobName>(name: N, payload: JobPayload<N>, opts: JobsOptions = {}): Promise<void> {
    await this.byKey[JOBS[name].queue].add(name, JOBS[name].payload.parse(payload), { ...KEEP_FINISHED, ...opts });
  }

  /** The state of the job of a delivery's current round ('unknown' when there is none). */
  jobStateOf(delivery: DeliveryRef): Promise<string> {
    return this.queueFor(delivery).getJobState(deliveryJobId(delivery.id, delivery.round));
  }

  /**
   * Removes the jobs of earlier rounds that have not started (an explicit push supersedes them;
   * one already running finds its round stale when it records). Best effort: a job that started
   * meanwhile is locked and stays.
   */
  async removeEarlierRounds(deliveries: Required<DeliveryRef>[]): Promise<void> {
    const removals = deliveries.flatMap((d) =>
      Array.from({ length: d.round - 1 }, (_, i) =>
        this.queueFor(d)
          .remove(deliveryJobId(d.id, i + 1))
          .catch(() => 0),
      ),
    );
    await Promise.all(removals);
  }

  /**
   * Removes the current-round jobs of deliveries another job has settled (a batch's riders):
   * left in place, each would run only to find its row settled. A job already running is locked
   * and stays; it finds the same. Returns how many were removed.
   */
  async removeJobsOf(deliveries: DeliveryRef[]): Promise<number> {
    const removed = await Promise.all(deliveries.map((d) => this.queueFor(d).remove(deliveryJobId(d.id, d.round))));
    return removed.filter((code) => code === 1).length;
  }

  /** Moves the delayed current-round jobs of these deliveries to the front of the wait: they look again now. */
  async promote(deliveries: DeliveryRef[]): Promise<void> {
    await Promise.all(
      deliveries.map(async (d) => {
        const job = await this.queueFor(d).getJob(deliveryJobId(d.id, d.round));
        // Only a delayed job can be promoted; one that moved on meanwhile needs no wake.
        if (job) await job.promote().catch(() => undefined);
      }),
    );
  }

  /**
   * Creates, or leaves as it is, the schedule of a maintenance job: every worker calls this at
   * start and now and then with the same id, so there is only ever one schedule, and a Redis
   * flush cannot lose it for long. `keep`: how many of its finished runs stay visible.
   */
  async schedule(schedulerId: string, name: ScheduledJobName, everyMs: number, keep: number): Promise<void> {
    await this.byKey.maintenance.upsertJobScheduler(
      schedulerId,
      { every: everyMs },
      { name, data: JOBS[name].payload.parse({}), opts: { removeOnComplete: { count: keep }, removeOnFail: { count: keep } } },
    );
  }

  async unschedule(schedulerId: string): Promise<void> {
    await this.byKey.maintenance.removeJobScheduler(schedulerId);
  }

  /** Many jobs of one name in one round trip; each with the retry policy of deliveries. */
  async addRetried<N extends JobName>(name: N, jobs: { payload: JobPayload<N>; jobId: string }[]): Promise<void> {
    await this.byKey[JOBS[name].queue as 'sources' | 'maintenance'].addBulk(
      jobs.map((j) => ({ name, data: JOBS[name].payload.parse(j.payload), opts: { ...this.deliveryJobOptions(j.jobId) } })),
    );
  }

  async close(): Promise<void> {
    await Promise.all(this.all().map((q) => q.close()));
  }

  private async addBulk(deliveries: DeliveryRef[], delayMs = 0): Promise<void> {
    const byQueue = new Map<Queue, Parameters<Queue['addBulk']>[0]>();
    for (const d of deliveries) {
      const name = deliveryClassOf(d.kind);
      const queue = this.queueFor(d);
      const jobs = byQueue.get(queue) ?? [];
      jobs.push({
        name,
        data: { deliveryId: d.id, round: d.round ?? 1 },
        opts: { ...this.deliveryJobOptions(d.id, d.round), ...(delayMs > 0 ? { delay: delayMs } : {}) },
      });
      byQueue.set(queue, jobs);
    }
    await Promise.all([...byQueue].map(([queue, jobs]) => queue.addBulk(jobs)));
  }
}
