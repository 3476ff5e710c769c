import { Queue, type JobsOptions } from 'bullmq';
import type { RedisConnection } from './connection';
import { jobNameForKind, JOBS, type JobName, type JobPayload } from './job-catalog';
import { QueueLayout, type QueueAddress, type QueueLayoutOptions, type ShardedQueueKey } from './queue-layout';
import type { QueueKey } from './queue-names';

/** Finished jobs stay visible in Bull Board for a while, then go, so Redis does not grow. */
const KEEP_FINISHED: Pick<JobsOptions, 'removeOnComplete' | 'removeOnFail'> = {
  removeOnComplete: { age: 24 * 3600, count: 5000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 20000 },
};

/** States in which a job will still run; any other (completed, failed, missing) may be replaced. */
const LIVE_STATES = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);

export interface RetryPolicy {
  /** RETRY_ATTEMPTS: retries after the first attempt. */
  retries: number;
}

export interface DeliveryRef {
  id: string;
  kind: string;
  /** A CRM delivery's destination: it picks the shard, so a destination's jobs stay in one queue. */
  destinationId?: string | null;
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
    this.shardQueues = { crm: this.layout.shardsOf('crm').map(make), actions: this.layout.shardsOf('actions').map(make) };
    this.byKey = {
      crm: this.shardQueues.crm[0],
      actions: this.shardQueues.actions[0],
      sources: make(this.layout.single('sources')),
      maintenance: make(this.layout.single('maintenance')),
    };
  }

  /** Every queue, every shard included (Bull Board, metrics). */
  all(): Queue[] {
    return [...this.shardQueues.crm, ...this.shardQueues.actions, this.byKey.sources, this.byKey.maintenance];
  }

  /** Every shard of the CRM and action queues: what each worker process serves. */
  deliveryQueues(): Queue[] {
    return [...this.shardQueues.crm, ...this.shardQueues.actions];
  }

  /** The queue a delivery's job lives in: its kind's queue, in its destination's shard. */
  queueFor(ref: DeliveryRef): Queue {
    const key = JOBS[jobNameForKind(ref.kind)].queue as ShardedQueueKey;
    // Flow actions have no destination lane; their own id spreads them evenly.
    return this.shardQueues[key][this.layout.shardOf(ref.destinationId ?? ref.id)];
  }

  /** Job options of a delivery: its id is the job id, so a duplicate enqueue is a no-op. */
  deliveryJobOptions(deliveryId: string): JobsOptions {
    return {
      jobId: deliveryId,
      attempts: this.retry.retries + 1,
      backoff: { type: 'delivery' },
      ...KEEP_FINISHED,
    };
  }

  /** Enqueues deliveries (new ones: no job can exist yet), in bulk per queue. */
  async enqueueNew(deliveries: DeliveryRef[]): Promise<void> {
    await this.addBulk(deliveries);
  }

  /**
   * Enqueues deliveries for a fresh round of attempts (sweep, manual retry, push controls): a
   * live job is left alone, a finished one under the same id is removed first, a missing one is
   * simply added. States are read concurrently, so a page of 500 costs one round of reads.
   */
  async enqueueFresh(deliveries: DeliveryRef[]): Promise<{ enqueued: number; alreadyLive: number }> {
    const states = await Promise.all(deliveries.map((d) => this.queueFor(d).getJobState(d.id)));
    const fresh = deliveries.filter((_, i) => !LIVE_STATES.has(states[i]));
    const finished = deliveries.filter((_, i) => states[i] === 'completed' || states[i] === 'failed');
    await Promise.all(finished.map((d) => this.queueFor(d).remove(d.id)));
    await this.addBulk(fresh);
    return { enqueued: fresh.length, alreadyLive: deliveries.length - fresh.length };
  }

  /** Whether the producer connection is up: enqueues fail fast instead of waiting when it is not. */
  get connected(): boolean {
    return this.connection.status === 'ready';
  }

  async add<N extends JobName>(name: N, payload: JobPayload<N>, opts: JobsOptions = {}): Promise<void> {
    await this.byKey[JOBS[name].queue].add(name, JOBS[name].payload.parse(payload), { ...KEEP_FINISHED, ...opts });
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

  private async addBulk(deliveries: DeliveryRef[]): Promise<void> {
    const byQueue = new Map<Queue, Parameters<Queue['addBulk']>[0]>();
    for (const d of deliveries) {
      const name = jobNameForKind(d.kind);
      const queue = this.queueFor(d);
      const jobs = byQueue.get(queue) ?? [];
      jobs.push({ name, data: { deliveryId: d.id }, opts: this.deliveryJobOptions(d.id) });
      byQueue.set(queue, jobs);
    }
    await Promise.all([...byQueue].map(([queue, jobs]) => queue.addBulk(jobs)));
  }
}
