import { DelayedError, Job, UnrecoverableError, Worker } from 'bullmq';
import type { RedisConnection } from './connection';
import { JOBS, type JobName, type JobPayload } from './job-catalog';
import type { QueueAddress } from './queue-layout';
import type { QueueKey } from './queue-names';

/** A failure no retry can mend: BullMQ fails the job at once, whatever attempts are left. */
export class PermanentJobError extends UnrecoverableError {}

/** A running worker of one queue: `close()` lets its jobs in flight finish, then stops it. */
export type JobWorker = Worker;

/** The job names the catalog puts in queue `K`. */
export type JobNameIn<K extends QueueKey> = { [N in JobName]: (typeof JOBS)[N]['queue'] extends K ? N : never }[JobName];

/** A job as its handler sees it: its name, and its payload already parsed against the catalog. */
export type QueueJob<N extends JobName = JobName> = Job<JobPayload<N>, unknown, N>;

/** Handles one job; `token` is the job's lock, needed to move it back to delayed (see deferJob). */
export type JobHandler<N extends JobName> = (job: QueueJob<N>, token: string | undefined) => Promise<unknown>;

/** One handler for each job name of a queue: a name added to the catalog must be handled. */
export type JobHandlers<K extends QueueKey> = { [N in JobNameIn<K>]: JobHandler<N> };

export interface JobWorkerOptions {
  concurrency: number;
  /** Called for each failed run, with the parsed job when its payload was valid. */
  onFailed?: (job: Job | undefined, err: Error) => void;
  /** The retry delay after a failed attempt (BullMQ's custom backoff strategy, type `delivery`). */
  backoff?: (attemptsMade: number, err: Error | undefined) => number;
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** A job that stalled more than this many times fails instead of running again. @defaultValue 1 */
  maxStalledCount?: number;
}

/**
 * The worker of one queue, bound to the catalog: every job's payload is parsed against its
 * schema before its handler runs, and a job of an unknown name or with a payload that does not
 * parse fails for good at once, naming what is wrong (no retry could make it valid).
 */
export function createJobWorker<K extends QueueKey>(
  address: QueueAddress & { key: K },
  connection: RedisConnection,
  handlers: JobHandlers<K>,
  opts: JobWorkerOptions,
): JobWorker {
  // Looked up by the job's own name, so each handler only ever sees jobs of its name.
  const handlerOf = handlers as unknown as Record<string, ((job: QueueJob, token: string | undefined) => Promise<unknown>) | undefined>;
  const worker = new Worker(
    address.name,
    async (job: Job, token?: string) => {
      const handler = handlerOf[job.name];
      if (!handler) throw new PermanentJobError(`no handler for job "${job.name}" in queue ${address.name}`);
      const parsed = JOBS[job.name as JobName].payload.safeParse(job.data);
      if (!parsed.success)
        throw new PermanentJobError(
          `job "${job.name}" ${job.id}: payload ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'} ${i.message}`).join('; ')}`,
        );
      job.data = parsed.data;
      return handler(job as QueueJob, token);
    },
    {
      connection,
      prefix: address.prefix,
      concurrency: opts.concurrency,
      // An undefined option would override BullMQ's default, hence the spreads.
      ...(opts.lockDurationMs ? { lockDuration: opts.lockDurationMs } : {}),
      ...(opts.stalledIntervalMs ? { stalledInterval: opts.stalledIntervalMs } : {}),
      maxStalledCount: opts.maxStalledCount ?? 1,
      ...(opts.backoff ? { settings: { backoffStrategy: (attemptsMade: number, _type?: string, err?: Error) => opts.backoff!(attemptsMade, err) } } : {}),
    },
  );
  if (opts.onFailed) worker.on('failed', (job, err) => opts.onFailed!(job, err));
  return worker;
}

/**
 * Puts a running job back to sleep for `waitMs` without spending an attempt (moveToDelayed, then
 * BullMQ's DelayedError so it records no failure). Never returns.
 */
export async function deferJob(job: Job, token: string | undefined, waitMs: number): Promise<never> {
  await job.moveToDelayed(Date.now() + waitMs, token);
  throw new DelayedError();
}

/** What a running job knows of its own attempts. */
export interface JobAttempts {
  attemptsMade: number;
  opts: { attempts?: number };
}

/** Whether this run of the job is its last: BullMQ will not run it again if it fails. */
export function isFinalAttempt(job: JobAttempts): boolean {
  return job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
}
