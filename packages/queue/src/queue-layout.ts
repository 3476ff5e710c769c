import { createHash } from 'node:crypto';
import { QUEUE_NAMES, type DeliveryClass, type QueueKey } from './queue-names';

/** Queues split into shards by destination (the delivery classes' queues); the others are one queue each. */
export const SHARDED_QUEUES = ['crm', 'action'] as const satisfies readonly (QueueKey & DeliveryClass)[];
export type ShardedQueueKey = (typeof SHARDED_QUEUES)[number];

/** BullMQ's own default prefix: the keys of deployments from before QUEUE_PREFIX existed. */
const LEGACY_PREFIX = 'bull';

export interface QueueLayoutOptions {
  /** QUEUE_PREFIX; unset on a single Redis with one shard keeps BullMQ's `bull:` keys. */
  prefix?: string;
  /** QUEUE_SHARDS. @defaultValue 1 */
  shards?: number;
  /** Whether Redis is a cluster: every queue's keys then carry a hash tag. */
  cluster?: boolean;
}

/** Where one BullMQ queue lives: its name and key prefix. */
export interface QueueAddress {
  key: QueueKey;
  name: string;
  prefix: string;
  shard?: number;
}

/**
 * The names and key prefixes of every queue. On a Redis Cluster BullMQ needs all keys of one
 * queue in one slot, hence a hash-tagged prefix (`{crm-push}`); each shard of a sharded queue
 * gets its own tag (`{crm-push-0}`, `{crm-push-1}`, …), so the cluster spreads the shards over
 * its masters. One shard keeps today's names, so a deployment's waiting jobs are still found.
 */
export class QueueLayout {
  readonly shards: number;
  private readonly basePrefix: string;
  private readonly tagged: boolean;

  constructor(opts: QueueLayoutOptions = {}) {
    this.shards = opts.shards ?? 1;
    if (!Number.isInteger(this.shards) || this.shards < 1) throw new Error(`QUEUE_SHARDS must be a positive integer, got ${opts.shards}`);
    this.tagged = Boolean(opts.cluster) || this.shards > 1 || opts.prefix !== undefined;
    this.basePrefix = opts.prefix ?? 'crm-push';
  }

  /** The one queue of an unsharded key (maintenance), or shard 0's when asked for a sharded one. */
  single<K extends QueueKey>(key: K): QueueAddress & { key: K } {
    if (this.isSharded(key)) return this.shardsOf(key as K & ShardedQueueKey)[0];
    return { key, name: QUEUE_NAMES[key], prefix: this.prefixFor() };
  }

  /** Every shard of a sharded queue, in shard order. */
  shardsOf<K extends ShardedQueueKey>(key: K): (QueueAddress & { key: K })[] {
    if (this.shards === 1) return [{ key, name: QUEUE_NAMES[key], prefix: this.prefixFor(), shard: 0 }];
    return Array.from({ length: this.shards }, (_, shard) => ({ key, name: `${QUEUE_NAMES[key]}-${shard}`, prefix: this.prefixFor(shard), shard }));
  }

  /** Every queue of the system. */
  all(): QueueAddress[] {
    return (Object.keys(QUEUE_NAMES) as QueueKey[]).flatMap((key) => (this.isSharded(key) ? this.shardsOf(key as ShardedQueueKey) : [this.single(key)]));
  }

  /** The shard of a routing key (a destination id): stable across processes, restarts and versions. */
  shardOf(routingKey: string): number {
    if (this.shards === 1) return 0;
    return createHash('sha1').update(routingKey).digest().readUInt32BE(0) % this.shards;
  }

  private isSharded(key: QueueKey): boolean {
    return (SHARDED_QUEUES as readonly QueueKey[]).includes(key);
  }

  private prefixFor(shard?: number): string {
    if (!this.tagged) return LEGACY_PREFIX;
    return shard === undefined ? `{${this.basePrefix}}` : `{${this.basePrefix}-${shard}}`;
  }
}

/** The layout of a process's configuration (QUEUE_PREFIX, QUEUE_SHARDS, REDIS_CLUSTER_NODES). */
export function queueLayout(config: { QUEUE_PREFIX?: string; QUEUE_SHARDS: number; REDIS_CLUSTER_NODES?: string[] }): QueueLayout {
  return new QueueLayout({ prefix: config.QUEUE_PREFIX, shards: config.QUEUE_SHARDS, cluster: Boolean(config.REDIS_CLUSTER_NODES?.length) });
}
