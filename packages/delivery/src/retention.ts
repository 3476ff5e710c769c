import type { Db } from '@crm-push/db';
import type { DeliveryDeps } from './deps';

const DAY_MS = 24 * 3600 * 1000;

export interface RetentionOptions {
  /** Rows deleted per statement: each batch is its own short transaction. @defaultValue 5000 */
  batchSize?: number;
  now?: Date;
}

export interface RetentionResult {
  attempts: number;
  /** Finished (done or failed) operations removed. */
  operations: number;
  /** Source events older than 30 days removed. */
  sourceEvents: number;
  /** Delete statements run on the attempt log. */
  batches: number;
}

/**
 * Trims the history to ATTEMPT_RETENTION_DAYS: the attempt log, then finished operations. A delivery keeps its status, counts and last
 * error (they live on its own row); only the per-call history older than the cut-off goes. The
 * delete runs in batches over the started_at index, so it never holds long locks, never bloats
 * one transaction, and suits PgBouncer's transaction pooling.
 */
export async function trimHistory(deps: Pick<DeliveryDeps, 'db' | 'config'>, opts: RetentionOptions = {}): Promise<RetentionResult> {
  const batchSize = opts.batchSize ?? 5000;
  const cutoff = new Date((opts.now ?? new Date()).getTime() - deps.config.ATTEMPT_RETENTION_DAYS * DAY_MS);
  let attempts = 0;
  let batches = 0;
  for (;;) {
    const deleted = await deps.db.$executeRaw`
      DELETE FROM attempts WHERE id IN (SELECT id FROM attempts WHERE started_at < ${cutoff} LIMIT ${batchSize})`;
    batches += 1;
    attempts += deleted;
    if (deleted < batchSize) break;
  }
  // Operations are one per push-pending request: few rows, one statement. Running ones stay.
  const operations = await deps.db.operation.deleteMany({ where: { status: { in: ['done', 'failed'] }, finishedAt: { lt: cutoff } } });
  const sourceEvents = await trimSourceEvents(deps.db, opts.now);
  return { attempts, operations: operations.count, sourceEvents, batches };
}

/** Source event logs are kept this long, whatever ATTEMPT_RETENTION_DAYS says (docs/api.md "Sources"). */
export const SOURCE_EVENT_RETENTION_DAYS = 30;

/** Deletes source events older than SOURCE_EVENT_RETENTION_DAYS; returns how many. */
export async function trimSourceEvents(db: Db, now = new Date()): Promise<number> {
  const { count } = await db.sourceEvent.deleteMany({ where: { receivedAt: { lt: new Date(now.getTime() - SOURCE_EVENT_RETENTION_DAYS * DAY_MS) } } });
  return count;
}
