export { QUEUE_NAMES, type QueueKey } from './queue-names';
export { JOBS, jobNameForKind, type JobName, type JobPayload } from './job-catalog';
export { backoffDelay, sweepDelay, type BackoffPolicy } from './backoff';
export { createRedis, redisTarget, type RedisConnection, type RedisTarget } from './connection';
export { QueueLayout, queueLayout, SHARDED_QUEUES, type QueueAddress, type QueueLayoutOptions, type ShardedQueueKey } from './queue-layout';
export { Queues, type DeliveryRef, type RetryPolicy } from './queues';
