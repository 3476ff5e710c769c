import { v7 as uuidv7 } from 'uuid';
import { isConnectionLoss, Prisma, queryDirect } from '@crm-push/db';
import { createBatcher } from './batcher';
import type { DeliveryDeps } from './deps';
import { enqueueOrLeaveToSweep } from './leave-to-sweep';
import { loadRouting, planDeliveries, type AccountRouting, type PlannedDelivery } from './plan-deliveries';

export interface LeadInput {
  data: Record<string, unknown>;
  source?: string;
  externalId?: string;
  /** A platform's test lead: stored with `test: true`. */
  test?: boolean;
  /** false stores the lead without routing it anywhere (a test lead the source does not push). */
  push?: boolean;
}

export interface IngestResult {
  /** false: an earlier request with the same Idempotency-Key or source + externalId made it. */
  created: boolean;
  leadId: string;
  /** The CRM deliveries written with a new lead (all `queued`); absent for a duplicate. */
  deliveries?: { id: string; destinationId: string | null; status: 'queued' }[];
}

/** Stores leads and enqueues their deliveries; one per api process, shared by its requests. */
export type Ingester = (accountId: string, input: LeadInput, idempotencyKey?: string) => Promise<IngestResult>;

/**
 * How many leads share one routing read, one insert statement and one enqueue, and how many
 * such batches run at once: while they run, the next batch gathers (see ./batcher). Round trips
 * are what a lead costs (see `npm run bench`).
 */
const MAX_BATCH = 100;
const BATCHES_IN_FLIGHT = 2;

interface LeadRow {
  lead: {
    id: string;
    accountId: string;
    data: Record<string, unknown>;
    source: string | null;
    externalId: string | null;
    idempotencyKey: string | null;
    test: boolean;
    createdAt: Date;
  };
  deliveries: ({ id: string } & PlannedDelivery)[];
}

/** One request's lead, before routing; `push: false` stores it without routing it anywhere. */
interface NewLead {
  lead: LeadRow['lead'];
  push: boolean;
}

/** What the batch did with one lead: stored with these deliveries (and enqueued them), or a repeat. */
type Written = { created: true; deliveries: LeadRow['deliveries'] } | { created: false };

/**
 * Stores a lead and its deliveries — atomically, in one statement shared with the requests
 * arriving at the same moment — then enqueues one job per delivery. The lead is durable before
 * the promise resolves; when Redis is down the jobs are left to the sweep. A repeat (same
 * Idempotency-Key, or source + externalId) is caught by the unique indexes, not by a
 * check-then-insert, so concurrent identical requests create one lead.
 */
export function createIngester(deps: DeliveryDeps): Ingester {
  const write = createBatcher<NewLead, Written>((leads) => writeBatch(deps, leads), { maxSize: MAX_BATCH, maxInFlight: BATCHES_IN_FLIGHT });

  return async (accountId, input, idempotencyKey) => {
    const lead = {
      id: uuidv7(),
      accountId,
      data: input.data,
      source: input.source ?? null,
      externalId: input.externalId ?? null,
      idempotencyKey: idempotencyKey ?? null,
      test: input.test ?? false,
      createdAt: new Date(),
    };
    const newLead = { lead, push: input.push !== false };
    // A flow deleted between planning and writing breaks a foreign key: plan once more without it.
    const written = await write(newLead).catch((err: unknown) => {
      if (isForeignKeyViolation(err)) return write(newLead);
      throw err;
    });
    if (!written.created) {
      const winner = await findExisting(deps, accountId, input, idempotencyKey);
      if (!winner) throw new Error('lead insert conflicted but no earlier lead matches');
      return counted(deps, { created: false, leadId: winner });
    }
    return counted(deps, {
      created: true,
      leadId: lead.id,
      deliveries: written.deliveries
        .filter((d) => d.kind === 'crm')
        .map((d) => ({ id: d.id, destinationId: d.destinationId ?? null, status: 'queued' as const })),
    });
  };
}

/**
 * One batch of leads: one routing read for their accounts, one insert statement, one enqueue of
 * the deliveries of the leads actually inserted. Each lead gets its own answer or its own error.
 */
async function writeBatch(deps: DeliveryDeps, leads: NewLead[]): Promise<(Written | Error)[]> {
  const routed = leads.filter((l) => l.push).map((l) => l.lead.accountId);
  const routing = routed.length ? await loadRouting(deps.db, routed) : new Map<string, AccountRouting>();
  const planned = leads.map((l) => planRow(l, routing));
  const rows = planned.filter((p): p is LeadRow => !(p instanceof Error));
  const inserted = rows.length ? await insertIsolated(deps, rows) : [];
  const created = rows.filter((_, i) => inserted[i] === true);
  await enqueueOrLeaveToSweep(
    deps,
    created.flatMap((r) => r.deliveries.map((d) => ({ id: d.id, kind: d.kind, destinationId: d.destinationId }))),
    'new',
  );
  const outcomes = new Map(rows.map((row, i) => [row, inserted[i]]));
  return planned.map((row) => {
    if (row instanceof Error) return row;
    const outcome = outcomes.get(row)!;
    if (outcome instanceof Error) return outcome;
    return outcome ? { created: true, deliveries: row.deliveries } : { created: false };
  });
}

/** A lead with the deliveries its account's routing gives it; a lead whose routing fails fails alone. */
function planRow({ lead, push }: NewLead, routing: Map<string, AccountRouting>): LeadRow | Error {
  try {
    const planned = push ? planDeliveries(routing.get(lead.accountId)!, lead) : [];
    return { lead, deliveries: planned.map((p) => ({ id: uuidv7(), ...p })) };
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}

/** One lead on its own (scripts, tests); the api shares one ingester between requests. */
export function ingestLead(deps: DeliveryDeps, accountId: string, input: LeadInput, idempotencyKey?: string): Promise<IngestResult> {
  return createIngester(deps)(accountId, input, idempotencyKey);
}

/**
 * The batch in one statement; if that statement fails for a reason other than a lost
 * connection, each lead again in a statement of its own, so a lead PostgreSQL refuses fails
 * alone instead of taking the other requests' leads (other accounts' too) down with it.
 */
async function insertIsolated(deps: DeliveryDeps, rows: readonly LeadRow[]): Promise<(boolean | Error)[]> {
  try {
    const inserted = await insertLeads(deps, rows);
    return rows.map((r) => inserted.has(r.lead.id));
  } catch (err) {
    if (rows.length === 1 || isConnectionLoss(err)) throw err;
    deps.logger.warn({ err, leads: rows.length }, 'a shared lead insert failed; inserting each lead on its own');
    return Promise.all(
      rows.map((row) =>
        insertLeads(deps, [row]).then(
          (inserted) => inserted.has(row.lead.id),
          (rowErr: unknown) => (rowErr instanceof Error ? rowErr : new Error(String(rowErr))),
        ),
      ),
    );
  }
}

/**
 * Leads and their deliveries in one round trip, atomic as one statement (insert_leads). A
 * repeat is skipped by the unique indexes (race-safe, also between two rows of one batch); only
 * the deliveries of leads actually inserted are written. Returns the inserted ids. Run without
 * Prisma's runtime (queryDirect): its parameters are arrays of every lead.
 */
async function insertLeads(deps: DeliveryDeps, rows: readonly LeadRow[]): Promise<Set<string>> {
  const leads = rows.map((r) => r.lead);
  const deliveries = rows.flatMap((r) => r.deliveries.map((d) => ({ ...d, leadId: r.lead.id, accountId: r.lead.accountId })));
  const leadColumn = <T>(pick: (l: LeadRow['lead']) => T) => leads.map(pick);
  const deliveryColumn = <T>(pick: (d: (typeof deliveries)[number]) => T) => deliveries.map(pick);
  const { rows: inserted } = await queryDirect<{ id: string }>(deps.db, INSERT_LEADS, [
    leadColumn((l) => l.id),
    leadColumn((l) => l.accountId),
    leadColumn((l) => l.source),
    leadColumn((l) => l.externalId),
    leadColumn((l) => l.idempotencyKey),
    leadColumn((l) => JSON.stringify(l.data)),
    leadColumn((l) => l.test),
    leadColumn((l) => l.createdAt.toISOString()),
    deliveryColumn((d) => d.id),
    deliveryColumn((d) => d.accountId),
    deliveryColumn((d) => d.leadId),
    deliveryColumn((d) => d.kind),
    deliveryColumn((d) => d.destinationId ?? null),
    deliveryColumn((d) => d.flowId ?? null),
    deliveryColumn((d) => d.actionIndex ?? null),
  ]);
  return new Set(inserted.map((r) => r.id));
}

/**
 * The insert itself is the function insert_leads (migration 20261203163000), whose plan
 * PostgreSQL keeps per connection: as a plain statement it was parsed and planned on every call.
 */
const INSERT_LEADS = `SELECT id FROM insert_leads(
  $1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::jsonb[], $7::boolean[], $8::timestamp[],
  $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::int[]
) AS t(id)`;

/** PostgreSQL's foreign_key_violation. */
const FOREIGN_KEY_VIOLATION = '23503';

function isForeignKeyViolation(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === FOREIGN_KEY_VIOLATION;
}

function counted(deps: DeliveryDeps, result: IngestResult): IngestResult {
  deps.metrics?.leadIngested(result.created ? 'created' : 'duplicate');
  return result;
}

async function findExisting(deps: DeliveryDeps, accountId: string, input: LeadInput, idempotencyKey?: string) {
  const or: Prisma.LeadWhereInput[] = [];
  if (idempotencyKey) or.push({ idempotencyKey });
  if (input.source && input.externalId) or.push({ source: input.source, externalId: input.externalId });
  if (!or.length) return undefined;
  const found = await deps.db.lead.findFirst({ where: { accountId, OR: or }, select: { id: true } });
  return found?.id;
}
