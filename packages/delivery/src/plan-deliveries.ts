import type { Db } from '@crm-push/db';
import { routeLead, type ConditionNode, type RoutableFlow } from '@crm-push/flows';
import { storedActions } from './flow-secrets';

export interface PlannedDelivery {
  /** 'crm' for a destination; 'slack' | 'email' | 'webhook' for a flow action. */
  kind: string;
  destinationId?: string;
  flowId?: string;
  actionIndex?: number;
}

export interface LeadForRouting {
  id: string;
  data: Record<string, unknown>;
  source: string | null;
  externalId: string | null;
  createdAt: Date;
}

/**
 * Which deliveries a new lead gets: every enabled destination with routing "all", every enabled
 * destination a matching flow's `crm_push` names (routing "flows" ones only this way), each
 * once; and one delivery per Slack, email or webhook action of every matching flow.
 * Destinations are filtered by account here too, so a stale id in a flow can never reach
 * another account's destination.
 */
export async function planDeliveries(db: Db, accountId: string, lead: LeadForRouting): Promise<PlannedDelivery[]> {
  const flows = await loadEnabledFlows(db, accountId);
  const routed = routeLead(flows, lead);
  const destinations = await db.destination.findMany({
    where: {
      accountId,
      enabled: true,
      deletedAt: null,
      OR: [{ routing: 'all' }, ...(routed.destinationIds.length ? [{ id: { in: routed.destinationIds } }] : [])],
    },
    select: { id: true },
    orderBy: { id: 'asc' },
  });
  return [
    ...destinations.map((d) => ({ kind: 'crm', destinationId: d.id })),
    ...routed.actions.map((a) => ({ kind: a.action.type, flowId: a.flowId, actionIndex: a.actionIndex })),
  ];
}

/** One query per ingest; flows are few per account, and a cache would serve edits late. */
async function loadEnabledFlows(db: Db, accountId: string): Promise<RoutableFlow[]> {
  const rows = await db.flow.findMany({
    where: { accountId, enabled: true },
    select: { id: true, enabled: true, when: true, actions: true },
    orderBy: { id: 'asc' },
  });
  // Stored webhook actions carry a sealed secret instead of signingSecret; routing reads only
  // each action's type and crm_push ids, so the stored shape serves as it is.
  return rows.map((r) => ({ id: r.id, enabled: r.enabled, when: r.when as unknown as ConditionNode, actions: storedActions(r.actions) }));
}
