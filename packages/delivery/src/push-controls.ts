import { v7 as uuidv7 } from 'uuid';
import type { DeliveryDeps } from './deps';
import { REQUEUE_PAGE_SIZE, requeuePages, type RequeuedDelivery } from './requeue';

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
 * naming it is the operator's choice). Already-succeeded deliveries are not pushed again and are
 * answered with their status. Unknown or another account's destination → PushError.
 */
export async function pushLead(deps: DeliveryDeps, accountId: string, leadId: string, destinationIds?: string[]): Promise<{ deliveries: RequeuedDelivery[] }> {
  const lead = await deps.db.lead.findFirst({ where: { id: leadId, accountId }, select: { id: true } });
  if (!lead) throw new PushError('lead-not-found', 'lead not found');
  const targets = destinationIds ? await namedDestinations(deps, accountId, destinationIds) : await routedDestinations(deps, accountId);
  const existing = await deps.db.delivery.findMany({ where: { leadId, kind: 'crm' }, select: { destinationId: true } });
  const have = new Set(existing.map((d) => d.destinationId));
  await createMissingPairs(
    deps,
    accountId,
    targets.filter((id) => !have.has(id)).map((destinationId) => ({ leadId, destinationId })),
  );

  const named = destinationIds ? { destinationId: { in: targets } } : {};
  await requeuePages(deps, { leadId, kind: 'crm', destination: usable, ...named }, 'push');
  const rows = await deps.db.delivery.findMany({
    where: { leadId, kind: 'crm', ...named },
    select: { id: true, status: true, destinationId: true },
    orderBy: { id: 'asc' },
  });
  return { deliveries: rows };
}

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
export async function pushPendingPage(deps: DeliveryDeps, accountId: string, routed: string[], cursor?: string): Promise<PushPendingPage> {
  const page = await deps.db.lead.findMany({
    where: { accountId, status: { in: ['pending', 'failed'] }, id: cursor ? { gt: cursor } : undefined },
    select: { id: true },
    orderBy: { id: 'asc' },
    take: REQUEUE_PAGE_SIZE,
  });
  if (!page.length) return { leads: 0, deliveries: 0, cursor, done: true };
  const leadIds = page.map((l) => l.id);
  const existing = await deps.db.delivery.findMany({ where: { leadId: { in: leadIds }, kind: 'crm' }, select: { leadId: true, destinationId: true } });
  const have = new Set(existing.map((d) => `${d.leadId}/${d.destinationId}`));
  await createMissingPairs(
    deps,
    accountId,
    leadIds.flatMap((leadId) => routed.filter((destinationId) => !have.has(`${leadId}/${destinationId}`)).map((destinationId) => ({ leadId, destinationId }))),
  );
  const { requeued } = await requeuePages(deps, { leadId: { in: leadIds }, kind: 'crm', destination: usable }, 'push');
  return { leads: leadIds.length, deliveries: requeued, cursor: leadIds[leadIds.length - 1], done: page.length < REQUEUE_PAGE_SIZE };
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

/** skipDuplicates: the unique (lead, destination) index makes two concurrent pushes create one delivery. */
async function createMissingPairs(deps: DeliveryDeps, accountId: string, pairs: { leadId: string; destinationId: string }[]) {
  if (!pairs.length) return;
  await deps.db.delivery.createMany({
    data: pairs.map((p) => ({ id: uuidv7(), accountId, kind: 'crm', status: 'queued', ...p })),
    skipDuplicates: true,
  });
}
