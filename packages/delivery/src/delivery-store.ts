import DataLoader from 'dataloader';
import type { DeliveryDeps } from './deps';
import { loadDeliveries, type LoadedDelivery } from './load-delivery';
import { recordSuccesses, type Success } from './record-outcome';

/**
 * How long a worker waits to gather the reads and success writes of its concurrent jobs into
 * one statement each. Round trips, not rows, are what PostgreSQL costs here (measured in
 * `npm run bench`), and a couple of milliseconds is nothing next to a CRM call.
 */
const BATCH_WINDOW_MS = 2;
const MAX_BATCH = 100;

export interface DeliveryStore {
  load(id: string): Promise<LoadedDelivery | undefined>;
  recordSuccess(success: Success): Promise<void>;
}

/** One per worker process: batches across the jobs it runs at once. Nothing is cached. */
export function createDeliveryStore(deps: Pick<DeliveryDeps, 'db'>): DeliveryStore {
  const options = { cache: false, maxBatchSize: MAX_BATCH, batchScheduleFn: (run: () => void) => setTimeout(run, BATCH_WINDOW_MS) };
  const loads = new DataLoader<string, LoadedDelivery | undefined>(async (ids) => {
    const byId = new Map((await loadDeliveries(deps.db, ids)).map((d) => [d.id, d]));
    return ids.map((id) => byId.get(id));
  }, options);
  const successes = new DataLoader<Success, void>(async (batch) => {
    await recordSuccesses(deps, batch);
    return batch.map(() => undefined);
  }, options);
  return { load: (id) => loads.load(id), recordSuccess: (success) => successes.load(success) };
}
