import { applyMapping, type FieldRule, type MappedRecord, type PushContext, type PushManyResult, type PushResult } from '@crm-push/crm';
import { DeliveryError, RenderBudget } from '@crm-push/outbound';
import { buildAdapter } from './build-adapter';
import { batchPushOf } from './bulk-call';
import type { DeliveryDeps } from './deps';
import type { LoadedDelivery } from './load-delivery';
import { isActionKind, prepareActionCall } from './prepare-action-call';

/** The one outbound call a delivery makes, ready to run: everything that can fail without calling has. */
export type PreparedCall = {
  run(): Promise<PushResult>;
  /** Turns whatever `run` threw into a DeliveryError. */
  classify(err: unknown): DeliveryError;
};

/** Throws a non-retryable DeliveryError for a delivery that cannot be attempted at all. */
export async function prepareCall(deps: DeliveryDeps, delivery: LoadedDelivery): Promise<PreparedCall> {
  if (isActionKind(delivery.kind)) return prepareActionCall(deps, delivery);
  if (delivery.kind !== 'crm') throw unusable('UNSUPPORTED_KIND', `delivery kind "${delivery.kind}" has no handler`);
  const destination = delivery.destination;
  if (!destination || destination.deletedAt) throw unusable('DESTINATION_DELETED', 'the destination was deleted');
  if (!destination.enabled) throw unusable('DESTINATION_DISABLED', 'the destination is disabled');
  const { crm, adapter, urls, classify } = buildAdapter(deps, destination);
  const record = mapRecord(crm.defaultMapping, delivery);
  // Checked at call time too: DNS may have changed since the destination was saved.
  for (const url of urls) await deps.network.assertUrlAllowed(url);
  return {
    run: async () => {
      try {
        return await adapter.push(record, pushContextOf(delivery));
      } catch (err) {
        throw classify(err);
      }
    },
    classify,
  };
}

/** One batch call for many deliveries of one destination, ready to run. */
export type PreparedBatch = {
  /** The deliveries going into the call, in the order of `run`'s results. */
  sendable: LoadedDelivery[];
  /** Deliveries that cannot go (a MAPPING_ERROR), with why. */
  unmapped: { delivery: LoadedDelivery; error: DeliveryError }[];
  run(): Promise<PushManyResult[]>;
  classify(err: unknown): DeliveryError;
};

/**
 * Like prepareCall, for deliveries of the first one's destination: the destination's problems
 * throw (they are everyone's); a record that cannot be mapped is set aside alone. A bulk-sized
 * batch (bulk-backlog.ts) goes as one Bulk job, its results mapped back the same way.
 */
export async function prepareBatchCall(deps: DeliveryDeps, deliveries: LoadedDelivery[]): Promise<PreparedBatch> {
  const destination = deliveries[0].destination;
  if (!destination || destination.deletedAt) throw unusable('DESTINATION_DELETED', 'the destination was deleted');
  if (!destination.enabled) throw unusable('DESTINATION_DISABLED', 'the destination is disabled');
  const { crm, adapter, urls, classify } = buildAdapter(deps, destination);
  const sendable: LoadedDelivery[] = [];
  const records: { record: MappedRecord; ctx: PushContext }[] = [];
  const unmapped: PreparedBatch['unmapped'] = [];
  for (const delivery of deliveries) {
    try {
      records.push({ record: mapRecord(crm.defaultMapping, delivery), ctx: pushContextOf(delivery) });
      sendable.push(delivery);
    } catch (err) {
      if (!(err instanceof DeliveryError)) throw err;
      unmapped.push({ delivery, error: err });
    }
  }
  for (const url of urls) await deps.network.assertUrlAllowed(url);
  const push = batchPushOf(adapter, records.length);
  return {
    sendable,
    unmapped,
    run: async () => {
      // An adapter reports a failure of the whole call as one error shared by every record; it is
      // classified once, so the results still share one error and the caller can tell such a
      // failure (the lane's business: a 401, a 429) from records refused one by one.
      const classified = new Map<unknown, DeliveryError>();
      const classifyOnce = (err: unknown) => classified.get(err) ?? classified.set(err, classify(err)).get(err)!;
      try {
        return (await push(records)).map((r) => (r.ok ? r : { ok: false, error: classifyOnce(r.error) }));
      } catch (err) {
        const error = classify(err);
        return records.map(() => ({ ok: false, error }));
      }
    },
    classify,
  };
}

function mapRecord(defaultMapping: FieldRule[], delivery: LoadedDelivery): MappedRecord {
  // Mapping first: a lead that cannot be mapped fails at once and makes no call. All of its
  // templates share one budget, so the work is bounded before the call whatever the rules.
  const rules = (delivery.destination?.fieldMapping as FieldRule[] | null) ?? defaultMapping;
  const lead = { ...delivery.lead, data: delivery.lead.data as Record<string, unknown> };
  return rules.length ? applyMapping(lead, rules, new RenderBudget()) : lead.data;
}

/**
 * The first push of a delivery keeps the delivery id as its idempotency key; each later explicit
 * push is a new operation with a key of its own. Retries within a round keep their round's key.
 */
export function pushContextOf(delivery: { id: string; round: number; externalId: string | null }): PushContext {
  return { deliveryId: delivery.id, idempotencyKey: delivery.round > 1 ? `${delivery.id}-${delivery.round}` : delivery.id, recordId: delivery.externalId };
}

function unusable(code: string, message: string): DeliveryError {
  return new DeliveryError({ code, message, retryable: false });
}
