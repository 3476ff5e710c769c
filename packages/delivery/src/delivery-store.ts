import { createBatcher } from './batcher';
import type { DeliveryDeps } from './deps';
import { loadDeliveries, type LoadedDelivery } from './load-delivery';
import { recordSuccesses, type Success } from './record-outcome';

/**
 * How many of a worker's concurrent jobs share one read and one success write, and how many such
 * statements run at once: while they run, the next batch gathers (see ./batcher). Round trips,
 * not rows, are what PostgreSQL costs here (measured in `npm run bench`).
 */
const BATCH_OPTIONS = { maxSize: 100, maxInFlight: 2 };

export interface DeliveryStore {
  load(id: string): Promise<LoadedDelivery | undefined>;
  recordSuccess(success: Success): Promise<void>;
}

/** One per worker process: batches across the jobs it runs at once. Nothing is cached. */
export function createDeliveryStore(deps: Pick<DeliveryDeps, 'db'>): DeliveryStore {
  const load = createBatcher<string, LoadedDelivery | undefined>(async (ids) => {
    const byId = new Map((await loadDeliveries(deps.db, ids)).map((d) => [d.id, d]));
    return ids.map((id) => byId.get(id));
  }, BATCH_OPTIONS);
  const recordSuccess = createBatcher<Success, void>(async (batch) => {
    await recordSuccesses(deps, batch);
    return batch.map(() => undefined);
  }, BATCH_OPTIONS);
  return { load, recordSuccess };
}
