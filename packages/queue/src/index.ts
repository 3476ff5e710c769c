export { deliveryClassOf, QUEUE_NAMES, type DeliveryClass, type QueueKey } from './queue-names';
export { JOBS, type JobName, type JobPayload } from './job-catalog';
export { backoffDelay, sweepDelay, type BackoffPolicy } from './backoff';
export { createRedis, redisTarget, type RedisConnection, type RedisTarget } from './connection';
export { QueueLayout, queueLayout, SHARDED_QUEUES, type QueueAddress, type QueueLayoutOptions, type ShardedQueueKey } from './queue-layout';
export { Queues, deliveryJobId, LIVE_JOB_STATES, type DeliveryRef, type QueueBacklog, type RetryPolicy, type ScheduledJobName } from './queues';
export { readEvictionPolicy, isEvictingPolicy } from './eviction-policy';
export {
  createJobWorker,
  deferJob,
  isFinalAttempt,
  PermanentJobError,
  type JobAttempts,
  type JobHandler,
  type JobHandlers,
  type JobNameIn,
  type JobWorker,
  type JobWorkerOptions,
  type QueueJob,
} from './job-worker';
