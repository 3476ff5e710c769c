import type { MappedRecord, PushContext, PushManyResult, PushResult } from '../contract';
import { DeliveryError } from '@crm-push/outbound';
import { classifyHubSpotError, classifyRecordError } from './classify-error';
import { idInMessage } from './existing-contact';
import type { ContactsApi } from './hubspot-client';
import { keyOf, toProperties } from './properties';
import { rateLimitMeta } from './rate-limit-headers';

/** HubSpot's batch endpoints take at most 100 inputs per call. */
/** HubSpot's batch endpoints take at most 100 inputs. */
export const BATCH_SIZE = 100;

interface Item {
  index: number;
  /** Sent as `objectWriteTraceId`, which HubSpot echoes on results: how answers find their input. */
  trace: string;
  properties: Record<string, string>;
  key?: string;
}

interface BatchAnswer {
  httpStatusCode: number;
  headers: unknown;
  data: {
    results: { id: string; objectWriteTraceId?: string; properties: Record<string, string | null>; _new?: boolean }[];
    errors?: { category?: string; message?: string; context?: Record<string, string[]> }[];
  };
}

type Update = (id: string, properties: Record<string, string>) => Promise<PushResult>;

/**
 * Records with an `upsertBy` value go through batch upsert (created or updated in one call);
 * the rest through batch create. One result per input, in input order; a call that fails as a
 * whole fails each of its records with the same DeliveryError.
 */
export async function pushBatch(
  api: ContactsApi,
  upsertBy: string,
  inputs: { record: MappedRecord; ctx: PushContext }[],
  update: Update,
): Promise<PushManyResult[]> {
  const out: PushManyResult[] = new Array(inputs.length);
  const items: Item[] = inputs.map(({ record, ctx }, index) => {
    const properties = toProperties(record);
    return { index, trace: `${ctx.deliveryId}:${index}`, properties, key: keyOf(properties, upsertBy) };
  });
  for (const chunk of chunks(items.filter((i) => i.key))) await upsertChunk(api, upsertBy, chunk, out);
  for (const chunk of chunks(items.filter((i) => !i.key))) await createChunk(api, chunk, out, update);
  return out;
}

async function upsertChunk(api: ContactsApi, upsertBy: string, chunk: Item[], out: PushManyResult[]): Promise<void> {
  const answer = await callBatch(chunk, out, () =>
    api.batchApi.upsertWithHttpInfo({
      inputs: chunk.map((i) => ({ idProperty: upsertBy, id: i.key!, properties: i.properties, objectWriteTraceId: i.trace })),
    }),
  );
  if (!answer) return;
  const byKey = (id: string | null | undefined) => chunk.find((i) => i.key === (upsertBy === 'email' ? id?.toLowerCase() : id));
  settle(
    chunk,
    answer,
    out,
    (r) => byKey(r.properties[upsertBy]),
    (e) => byKey(e.context?.ids?.[0]),
    (r) => (r._new ? 'created' : 'updated'),
  );
}

async function createChunk(api: ContactsApi, chunk: Item[], out: PushManyResult[], update: Update): Promise<void> {
  const answer = await callBatch(chunk, out, () =>
    api.batchApi.createWithHttpInfo({ inputs: chunk.map((i) => ({ properties: i.properties, associations: [], objectWriteTraceId: i.trace })) }),
  );
  if (!answer) return;
  settle(
    chunk,
    answer,
    out,
    () => undefined,
    () => undefined,
    () => 'created',
  );
  // A record whose email HubSpot already has: update that contact, as push does.
  for (const item of chunk) {
    const existingId = conflictIdOf(out[item.index]);
    if (!existingId) continue;
    out[item.index] = await update(existingId, item.properties).then(
      (result): PushManyResult => ({ ok: true, result }),
      (err): PushManyResult => ({ ok: false, error: classifyHubSpotError(err) }),
    );
  }
}

/** Makes the call; on a whole-call failure fills the chunk's results and returns undefined. */
async function callBatch(chunk: Item[], out: PushManyResult[], call: () => Promise<unknown>): Promise<BatchAnswer | undefined> {
  try {
    return (await call()) as BatchAnswer;
  } catch (err) {
    const error = classifyHubSpotError(err);
    for (const item of chunk) out[item.index] = { ok: false, error };
    return undefined;
  }
}

/** Matches results and errors to inputs: by trace id first, then by the given fallbacks. */
function settle(
  chunk: Item[],
  answer: BatchAnswer,
  out: PushManyResult[],
  resultFallback: (r: BatchAnswer['data']['results'][number]) => Item | undefined,
  errorFallback: (e: NonNullable<BatchAnswer['data']['errors']>[number]) => Item | undefined,
  actionOf: (r: BatchAnswer['data']['results'][number]) => PushResult['action'],
): void {
  const byTrace = new Map(chunk.map((i) => [i.trace, i]));
  const meta = rateLimitMeta(answer.headers);
  for (const r of answer.data.results) {
    const item = (r.objectWriteTraceId && byTrace.get(r.objectWriteTraceId)) || resultFallback(r);
    if (item) out[item.index] = { ok: true, result: { externalId: r.id, action: actionOf(r), statusCode: answer.httpStatusCode, meta } };
  }
  for (const e of answer.data.errors ?? []) {
    const item = byTrace.get(e.context?.objectWriteTraceId?.[0] ?? '') || errorFallback(e);
    if (item) out[item.index] = { ok: false, error: classifyRecordError(e) };
  }
  for (const item of chunk) {
    out[item.index] ??= {
      ok: false,
      // Nothing in HubSpot's answer names this record; another try settles it.
      error: new DeliveryError({ code: 'BATCH_RESULT_MISSING', message: 'HubSpot answered the batch without a result for this record', retryable: true }),
    };
  }
}

function conflictIdOf(result: PushManyResult): string | undefined {
  return !result.ok && result.error.code === 'CONFLICT' ? idInMessage(result.error.message) : undefined;
}

/** Batches of at most BATCH_SIZE in which no key repeats (HubSpot refuses duplicate ids in one call). */
function chunks(items: Item[]): Item[][] {
  const out: Item[][] = [];
  let current: Item[] = [];
  let keys = new Set<string>();
  for (const item of items) {
    if (current.length === BATCH_SIZE || (item.key && keys.has(item.key))) {
      out.push(current);
      current = [];
      keys = new Set();
    }
    current.push(item);
    if (item.key) keys.add(item.key);
  }
  if (current.length) out.push(current);
  return out;
}
