import { loadConfig } from '@crm-push/config';
import type { Db } from '@crm-push/db';
import { invariantBreach } from '@crm-push/delivery';
import { createRedis, Queues, type QueueLayout, type QueueLayoutOptions, type RedisTarget } from '@crm-push/queue';

export interface InvariantBreach {
  deliveryId: string;
  status: string;
  round: number;
  /** The BullMQ state of the delivery's current-round job ('unknown': Redis has none). */
  jobState: string;
  why: string;
}

export interface InvariantCheckOptions {
  db: Db;
  /** The Redis the processes under test use: a URL, or a cluster's nodes (a RedisTarget). */
  redis: string | RedisTarget;
  /** Where the queues live (QUEUE_PREFIX, QUEUE_SHARDS, a cluster's hash tags), when not the default. */
  layout?: QueueLayout | QueueLayoutOptions;
  /** SWEEP_MAX of the processes under test. @defaultValue the configuration default */
  sweepMax?: number;
  /** Only these deliveries (default: every delivery in the database). */
  deliveryIds?: string[];
}

/**
 * Reads every delivery from PostgreSQL and its job from Redis and reports each one whose status
 * does not match what BullMQ will do with it (delivery-fate.ts states the rule). Call it once the
 * system is quiet, e.g. at the end of a process test: `await expectNoBrokenDeliveries({ db, redis })`.
 */
export async function findBrokenDeliveries(opts: InvariantCheckOptions): Promise<InvariantBreach[]> {
  const config = { SWEEP_MAX: opts.sweepMax ?? loadConfig({}).SWEEP_MAX };
  const redis = createRedis(opts.redis, 'worker');
  const queues = new Queues(redis, { retries: 0 }, opts.layout);
  try {
    const rows = await opts.db.delivery.findMany({
      where: opts.deliveryIds ? { id: { in: opts.deliveryIds } } : {},
      select: { id: true, kind: true, destinationId: true, round: true, status: true, nextRetryAt: true, lastErrorRetryable: true, sweeps: true },
      orderBy: { id: 'asc' },
    });
    const states = await Promise.all(rows.map((row) => queues.jobStateOf(row)));
    return rows.flatMap((row, i) => {
      const why = invariantBreach(config, row, states[i]);
      return why ? [{ deliveryId: row.id, status: row.status, round: row.round, jobState: states[i], why }] : [];
    });
  } finally {
    await queues.close();
    redis.disconnect();
  }
}

/** Throws, listing every broken delivery and why, unless there is none. */
export async function expectNoBrokenDeliveries(opts: InvariantCheckOptions): Promise<void> {
  const broken = await findBrokenDeliveries(opts);
  if (broken.length) {
    const lines = broken.map((b) => `  ${b.deliveryId} (${b.status}, round ${b.round}, job ${b.jobState}): ${b.why}`);
    throw new Error(`${broken.length} deliveries break the delivery invariant:\n${lines.join('\n')}`);
  }
}
