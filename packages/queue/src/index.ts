export { QUEUE_NAMES, type QueueKey } from './queue-names';
export { JOBS, jobNameForKind, type JobName, type JobPayload } from './job-catalog';
export { backoffDelay, sweepDelay, type BackoffPolicy } from './backoff';
export { createRedis } from './connection';
export { Queues, type DeliveryRef, type RetryPolicy } from './queues';
export { readEvictionPolicy, isEvictingPolicy } from './eviction-policy';
