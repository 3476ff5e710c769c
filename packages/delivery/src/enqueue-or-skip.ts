import type { DeliveryDeps } from './deps';

/** How long an enqueue may hold a request up when Redis is connected but not answering. */
export const ENQUEUE_DEADLINE_MS = 2000;

/**
 * Runs an enqueue, failing fast when Redis is not there: BullMQ would otherwise wait for the
 * connection indefinitely (whatever the producer's ioredis options), holding an ingest up. The
 * caller has already committed the rows, so the sweep enqueues them later. An enqueue that
 * outlives the deadline may still land; job ids make that harmless.
 */
export async function enqueueOrSkip(deps: Pick<DeliveryDeps, 'queues'>, enqueue: () => Promise<unknown>): Promise<void> {
  const connection = deps.queues.byKey.crm.opts.connection as { status?: string } | undefined;
  if (connection?.status !== undefined && connection.status !== 'ready') {
    throw new Error(`Redis is not connected (${connection.status})`);
  }
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
