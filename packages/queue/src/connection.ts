import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';

/** Every Redis user of the system talks through this type: one node or a Redis Cluster. */
export type RedisConnection = Redis | Cluster;

/** Where Redis is: one node (`url`) or the seeds of a Redis Cluster (`clusterNodes`, which wins). */
export interface RedisTarget {
  url: string;
  clusterNodes?: string[];
}

/** The target of a process's configuration (REDIS_URL, REDIS_CLUSTER_NODES). */
export function redisTarget(config: { REDIS_URL: string; REDIS_CLUSTER_NODES?: string[] }): RedisTarget {
  return { url: config.REDIS_URL, clusterNodes: config.REDIS_CLUSTER_NODES };
}

/**
 * The one connection factory. Workers block on Redis and must wait for it through outages
 * (maxRetriesPerRequest: null, as BullMQ requires). Producers — the api — must fail fast
 * instead, so an ingest never hangs on a Redis outage: the lead is already in PostgreSQL and
 * the sweep enqueues it later. On a cluster the same options apply to every node's connection.
 */
export function createRedis(target: string | RedisTarget, role: 'worker' | 'producer'): RedisConnection {
  const { url, clusterNodes } = typeof target === 'string' ? { url: target, clusterNodes: undefined } : target;
  const options: RedisOptions =
    role === 'worker' ? { maxRetriesPerRequest: null, enableReadyCheck: false } : { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2000 };
  const redis = clusterNodes?.length
    ? new Cluster(clusterNodes.map(parseNode), clusterOptions(options, role))
    : new Redis(url, { ...options, lazyConnect: false });
  // Errors are surfaced by the calls that fail; without a listener ioredis would print each retry.
  redis.on('error', () => undefined);
  return redis;
}

function clusterOptions(redisOptions: RedisOptions, role: 'worker' | 'producer'): ClusterOptions {
  return {
    redisOptions,
    enableReadyCheck: true,
    // A producer fails fast while the cluster is unreachable, like a single-node producer.
    enableOfflineQueue: role === 'worker',
    // Keep trying to rediscover the cluster after an outage instead of giving up after a few tries.
    clusterRetryStrategy: (times) => Math.min(100 * times, 2000),
  };
}

function parseNode(seed: string): { host: string; port: number } {
  const at = seed.lastIndexOf(':');
  return { host: seed.slice(0, at).replace(/^\[|\]$/g, ''), port: Number(seed.slice(at + 1)) };
}
