import { CRM_TYPES, crmModule, type CrmAdapter, type MappedRecord, type PushContext, type PushManyResult } from '@crm-push/crm';

/**
 * Salesforce recommends Bulk API 2.0 over its REST calls (sObject Collections included) for more
 * than 2 000 records; below that a Bulk job's fixed cost (create, upload, close, polls, result
 * reads) buys nothing and Collections of 200 are the cheaper way.
 */
export const BULK_THRESHOLD = 2000;

/**
 * The most deliveries one claimant sends as one Bulk job. Salesforce processes an ingest job in
 * internal chunks of 10 000 records; one chunk a job keeps the CSV a few MB, the claimant's
 * memory (the loaded deliveries) modest, and lets several claimants run jobs side by side.
 */
export const BULK_MAX_RECORDS = 10_000;

/** How long one Bulk job may take, upload to results, before its push fails (retryably). */
export const BULK_POLL_TIMEOUT_MS = 10 * 60_000;

/** Destination types whose CRM module sends large backlogs as bulk jobs (its adapter has `pushBulk`). */
export const BULK_DESTINATION_TYPES: ReadonlySet<string> = new Set(CRM_TYPES.filter((type) => crmModule(type).batching?.bulk));

type Items = { record: MappedRecord; ctx: PushContext }[];

/** The call for a batch of `count` records: one Bulk job when it is bulk-sized and the CRM has one, else the batch API. */
export function batchPushOf(adapter: CrmAdapter, count: number): (items: Items) => Promise<PushManyResult[]> {
  const pushBulk = adapter.pushBulk?.bind(adapter);
  if (pushBulk && count > BULK_THRESHOLD) return (items) => pushBulk(items, { pollTimeoutMs: BULK_POLL_TIMEOUT_MS });
  return (items) => adapter.pushMany(items);
}
