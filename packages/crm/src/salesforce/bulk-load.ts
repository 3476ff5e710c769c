import type { Connection, Record as SfRecord } from 'jsforce';
import type { MappedRecord, PushManyResult } from '../contract';
import { DeliveryError } from '@crm-push/outbound';
import { classifySaveError } from './error-taxonomy';

export interface BulkLoadOptions {
  object: string;
  externalIdField?: string;
  /** How often the job's state is polled [2 000 ms]. */
  pollIntervalMs?: number;
  /** How long a job may take before the load fails, retryably [10 min]. */
  pollTimeoutMs?: number;
}

type ResultRow = Record<string, unknown>;

/**
 * Loads records as one Bulk API 2.0 ingest job (create, upload CSV, UploadComplete, poll, read the
 * successful and failed results) and maps each result back to its input. Bulk results come back
 * without an input index, in no promised order, but each carries the input columns: a result is
 * matched to an input with the same column values (identical inputs are interchangeable).
 * A job that fails as a whole throws; per-record refusals fail only their own record.
 */
export async function bulkLoad(conn: Connection, records: MappedRecord[], opts: BulkLoadOptions): Promise<PushManyResult[]> {
  const columns = [...new Set(records.flatMap((r) => Object.keys(r)))].sort();
  const input = records.map((r) => Object.fromEntries(columns.map((c) => [c, r[c] ?? null])) as SfRecord);
  const { successfulResults, failedResults, unprocessedRecords } = await conn.bulk2.loadAndWaitForResults({
    object: opts.object,
    operation: opts.externalIdField ? 'upsert' : 'insert',
    ...(opts.externalIdField ? { externalIdFieldName: opts.externalIdField } : {}),
    lineEnding: 'LF',
    input,
    pollInterval: opts.pollIntervalMs ?? 2000,
    pollTimeout: opts.pollTimeoutMs ?? 10 * 60_000,
  });

  const waiting = new Map<string, number[]>();
  input.forEach((row, i) => {
    const key = rowKey(row, columns);
    waiting.set(key, [...(waiting.get(key) ?? []), i]);
  });
  const results: PushManyResult[] = new Array(records.length);
  const place = (row: ResultRow, result: PushManyResult) => {
    const index = waiting.get(rowKey(row, columns))?.shift();
    if (index !== undefined) results[index] = result;
  };
  for (const row of successfulResults as ResultRow[]) {
    const created = String(row.sf__Created) !== 'false' || !opts.externalIdField;
    place(row, { ok: true, result: { externalId: String(row.sf__Id), action: created ? 'created' : 'updated' } });
  }
  for (const row of failedResults as ResultRow[]) place(row, { ok: false, error: bulkRecordError(String(row.sf__Error ?? '')) });
  for (const row of unprocessedRecords as ResultRow[]) place(row, { ok: false, error: unprocessed() });
  // Salesforce reports every record in one of the three lists; one it lost is tried again.
  for (let i = 0; i < results.length; i++) results[i] ??= { ok: false, error: unprocessed() };
  return results;
}

/** The input columns of a row as text, as they travel in CSV (jsforce writes null as "#N/A"). */
function rowKey(row: ResultRow, columns: string[]): string {
  return JSON.stringify(columns.map((c) => (row[c] === null || row[c] === undefined || row[c] === '#N/A' ? '' : String(row[c]))));
}

/** `sf__Error` reads "STATUS_CODE:message:field1,field2 --". */
function bulkRecordError(text: string): DeliveryError {
  const body = text.replace(/\s*--\s*$/, '');
  const first = body.indexOf(':');
  const last = body.lastIndexOf(':');
  if (first < 0) return classifySaveError({ statusCode: body || undefined, message: text });
  const message = last > first ? body.slice(first + 1, last) : body.slice(first + 1);
  const fields =
    last > first
      ? body
          .slice(last + 1)
          .split(',')
          .filter(Boolean)
      : [];
  return classifySaveError({ statusCode: body.slice(0, first), message, fields });
}

function unprocessed(): DeliveryError {
  return new DeliveryError({ code: 'UNPROCESSED', message: 'Salesforce did not process this record in its bulk job', retryable: true });
}
