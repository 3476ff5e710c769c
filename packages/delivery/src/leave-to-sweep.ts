import type { DeliveryRef } from '@crm-push/queue';
import type { DeliveryDeps } from './deps';

/** How long an enqueue may hold a request up when Redis is connected but not answering. */
const ENQUEUE_DEADLINE_MS = 2000;

/**
 * Enqueues deliveries whose rows are already committed — or, when Redis is down or slow, leaves
 * them to the sweep, which enqueues every queued delivery that has no job. Never throws: Redis
 * being down must not fail an ingest or a retry that PostgreSQL already holds.
 *
 * `new`: the deliveries were just created (no job can exist); `fresh`: a new round for existing
 * deliveries (finished jobs under the same id are replaced, live ones kept). `delayMs`: new jobs
 * wait that long before they run.
 */
export async function enqueueOrLeaveToSweep(
  deps: DeliveryDeps,
  refs: DeliveryRef[],
  round: 'new' | 'fresh',
  opts: { delayMs?: number } = {},
): Promise<boolean> {
  if (!refs.length) return true;
  try {
    await withDeadline(deps, () => (round === 'new' ? deps.queues.enqueueNew(refs, opts.delayMs) : deps.queues.enqueueFresh(refs)));
    return true;
  } catch (err) {
    deps.logger.warn({ err: (err as Error).message, deliveries: refs.length }, 'enqueue failed; the sweep will enqueue these deliveries');
    return false;
  }
}

/**
 * BullMQ waits for a lost connection indefinitely (whatever the producer's ioredis options), so
 * fail at once when it is down and after a deadline when it does not answer. An enqueue that
 * outlives the deadline may still land; job ids make that harmless.
 */
async function withDeadline(deps: Pick<DeliveryDeps, 'queues'>, enqueue: () => Promise<unknown>): Promise<void> {
  if (!deps.queues.connected) throw new Error('Redis is not connected');
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ENQUEUE_DEADLINE_MS} ms`)), ENQUEUE_DEADLINE_MS);
  });
  const work = enqueue();
  work.catch(() => undefined); // a late failure after the deadline is already accounted for
  try {
    await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
