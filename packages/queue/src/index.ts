export { QUEUE_NAMES, type QueueKey } from './queue-names';
export { JOBS, jobNameForKind, type JobName, type JobPayload } from './job-catalog';
export { backoffDelay, sweepDelay, type BackoffPolicy } from './backoff';
export { createRedis } from './connection';
export { Queues, deliveryJobId, LIVE_JOB_STATES, type DeliveryRef, type RetryPolicy } from './queues';
