import { v7 as uuidv7 } from 'uuid';
import type { DeliveryRef } from '@crm-push/queue';
import type { DeliveryDeps } from './deps';
import { enqueueOrLeaveToSweep } from './leave-to-sweep';
import { requeuePages, startPushRound, type RequeuedDelivery } from './requeue';

/** Why a push was refused; the api maps `reason` to its status code. */
export class PushError extends Error {
  constructor(
    readonly reason: 'lead-not-found' | 'destination-not-found' | 'destination-disabled',
    message: string,
  ) {
    super(message);
    this.name = 'PushError';
  }
}

/** A destination a push may reach: the account's own, not deleted, enabled. */
const usable = { enabled: true, deletedAt: null } as const;

/**
 * POST /v1/leads/:id/push. Without `destinationIds`: every not-yet-succeeded CRM delivery the
 * lead has (to a usable destination), plus a new delivery to every usable `routing: "all"`
 * destination it has none for (one added after the lead arrived). With `destinationIds`: those
 * destinations only, creating a delivery where none exists (a `routing: "flows"` one included:
 * naming it is the operator's choice). Every one of them is sent again, succeeded ones included,
 * as a new push round (see startPushRound). Unknown or another account's destination → PushError.
 */
export async function pushLead(deps: DeliveryDeps, accountId: string, leadId: string, destinationIds?: string[]): Promise<{ deliveries: RequeuedDelivery[] }> {
  const lead = await deps.db.lead.findFirst({ where: { id: leadId, accountId, erasedAt: null }, select: { id: true } });
  if (!lead) throw new PushError('lead-not-found', 'lead not found');
  const targets = destinationIds ? await namedDestinations(deps, accountId, destinationIds) : await routedDestinations(deps, accountId);
  const named = destinationIds ? { destinationId: { in: targets } } : {};
  // Existing deliveries first, so the ones created below start at round 1 (their first push).
  await startPushRound(deps, { leadId, kind: 'crm', destination: usable, ...named });
  const existing = await deps.db.delivery.findMany({ where: { leadId, kind: 'crm' }, select: { destinationId: true } });
  const have = new Set(existing.map((d) => d.destinationId));
  const created = await createMissingPairs(
    deps,
    accountId,
    targets.filter((id) => !have.has(id)).map((destinationId) => ({ leadId, destinationId })),
  );
  await enqueueOrLeaveToSweep(deps, created, 'new');
  const rows = await deps.db.delivery.findMany({
    where: { leadId, kind: 'crm', ...named },
    select: { id: true, status: true, destinationId: true },
    orderBy: { id: 'asc' },
  });
  return { deliveries: rows };
}

/**
 * Leads per push-pending page. A page costs a fixed handful of statements and one enqueue per
 * queue whatever its size, and the maintenance worker shares its process with busy delivery
 * jobs, so fewer, larger pages hand out an import faster (the existing deliveries inside are
 * re-queued in REQUEUE_PAGE_SIZE pages of their own).
 */
const PUSH_PENDING_PAGE_SIZE = 2000;

export interface PushPendingPage {
  leads: number;
  deliveries: number;
  /** The last lead id of the page; undefined when there was none left. */
  cursor: string | undefined;
  /** No unsynced lead after this page. */
  done: boolean;
}

/**
 * One page of push-pending (see push-pending-operation.ts): the next unsynced leads (pending or
 * failed) of the account after `cursor`, to every usable destination each has not yet succeeded
 * at — its own not-succeeded CRM deliveries plus new ones (bulk inserted) to `routing: "all"`
 * destinations it has none for. `routing: "flows"` destinations only get the leads their flows
 * chose. Idempotent: a page done twice (a worker died before recording it) queues nothing twice.
 */
export async function pushPendingPage(
  deps: DeliveryDeps,
  accountId: string,
  routed: string[],
  cursor?: string,
  gather: { destinationIds: ReadonlySet<string>; delayMs: number } = { destinationIds: new Set(), delayMs: 0 },
): Promise<PushPendingPage> {
  const page = await deps.db.lead.findMany({
    // A platform's test lead goes only where its source pushed it at ingest.
    where: { accountId, status: { in: ['pending', 'failed'] }, test: false, id: cursor ? { gt: cursor } : undefined },
    select: { id: true },
    orderBy: { id: 'asc' },
    take: PUSH_PENDING_PAGE_SIZE,
  });
  if (!page.length) return { leads: 0, deliveries: 0, cursor, done: true };
  const leadIds = page.map((l) => l.id);
  // Existing deliveries first (as in pushLead): the ones created below are new, with no job to look for.
  const { requeued } = await requeuePages(deps, { leadId: { in: leadIds }, kind: 'crm', destination: usable }, 'push');
  const existing = await deps.db.delivery.findMany({ where: { leadId: { in: leadIds }, kind: 'crm' }, select: { leadId: true, destinationId: true } });
  const have = new Set(existing.map((d) => `${d.leadId}/${d.destinationId}`));
  const created = await createMissingPairs(
    deps,
    accountId,
    leadIds.flatMap((leadId) => routed.filter((destinationId) => !have.has(`${leadId}/${destinationId}`)).map((destinationId) => ({ leadId, destinationId }))),
  );
  const gathering = (d: DeliveryRef) => gather.destinationIds.has(d.destinationId!);
  await enqueueOrLeaveToSweep(deps, created.filter(gathering), 'new', { delayMs: gather.delayMs });
  await enqueueOrLeaveToSweep(
    deps,
    created.filter((d) => !gathering(d)),
    'new',
  );
  if (created.length) deps.metrics?.deliveriesRequeued('push', created.length);
  const deliveries = requeued + created.length;
  return { leads: leadIds.length, deliveries, cursor: leadIds[leadIds.length - 1], done: page.length < PUSH_PENDING_PAGE_SIZE };
}

export async function routedDestinations(deps: DeliveryDeps, accountId: string): Promise<string[]> {
  const rows = await deps.db.destination.findMany({ where: { accountId, routing: 'all', ...usable }, select: { id: true }, orderBy: { id: 'asc' } });
  return rows.map((d) => d.id);
}

async function namedDestinations(deps: DeliveryDeps, accountId: string, ids: string[]): Promise<string[]> {
  const unique = [...new Set(ids)];
  const rows = await deps.db.destination.findMany({ where: { id: { in: unique }, accountId, deletedAt: null }, select: { id: true, enabled: true } });
  const found = new Map(rows.map((r) => [r.id, r]));
  const unknown = unique.filter((id) => !found.has(id));
  if (unknown.length) throw new PushError('destination-not-found', `destination not found: ${unknown.join(', ')}`);
  const disabled = unique.filter((id) => !found.get(id)!.enabled);
  if (disabled.length) throw new PushError('destination-disabled', `destination is disabled: ${disabled.join(', ')}`);
  return unique;
}

/**
 * New queued CRM deliveries, one statement for a whole page (a model createMany spends more time
 * building rows than PostgreSQL spends inserting them). ON CONFLICT DO NOTHING: the unique
 * (lead, destination) index makes two concurrent pushes create one delivery.
 */
async function createMissingPairs(deps: DeliveryDeps, accountId: string, pairs: { leadId: string; destinationId: string }[]): Promise<DeliveryRef[]> {
  if (!pairs.length) return [];
  return deps.db.$queryRaw<DeliveryRef[]>`
    INSERT INTO deliveries (id, account_id, lead_id, destination_id, kind, status, created_at, updated_at)
    SELECT id, ${accountId}, lead_id, destination_id, 'crm', 'queued', now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
    FROM unnest(${pairs.map(() => uuidv7())}::text[], ${pairs.map((p) => p.leadId)}::text[], ${pairs.map((p) => p.destinationId)}::text[])
      AS p(id, lead_id, destination_id)
    ON CONFLICT DO NOTHING
    RETURNING id, kind, destination_id AS "destinationId"`;
}
