import type { Db } from '@crm-push/db';
import { routeLead, type ConditionNode, type FlowAction, type RoutableFlow } from '@crm-push/flows';
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

/** What routing needs of one account: its enabled flows and its usable destinations. */
export interface AccountRouting {
  flows: RoutableFlow[];
  destinations: { id: string; routing: string }[];
}

/**
 * Reads the routing of several accounts in two queries (the ingester batches the accounts of
 * concurrent requests). Read fresh every time: a cache would route leads by stale flows.
 */
export async function loadRouting(db: Db, accountIds: readonly string[]): Promise<Map<string, AccountRouting>> {
  const ids = [...new Set(accountIds)];
  const [flows, destinations] = await Promise.all([
    db.flow.findMany({
      where: { accountId: { in: ids }, enabled: true },
      select: { id: true, accountId: true, enabled: true, when: true, actions: true },
      orderBy: { id: 'asc' },
    }),
    db.destination.findMany({
      where: { accountId: { in: ids }, enabled: true, deletedAt: null },
      select: { id: true, accountId: true, routing: true },
      orderBy: { id: 'asc' },
    }),
  ]);
  const byAccount = new Map(ids.map((id) => [id, { flows: [], destinations: [] } as AccountRouting]));
  // Stored webhook and Slack actions carry sealed secrets instead of signingSecret / webhookUrl;
  // routing reads only each action's type and crm_push ids, so the stored shape serves as it is.
  for (const f of flows) {
    byAccount
      .get(f.accountId)!
      .flows.push({ id: f.id, enabled: f.enabled, when: f.when as unknown as ConditionNode, actions: storedActions(f.actions) as unknown as FlowAction[] });
  }
  for (const d of destinations) byAccount.get(d.accountId)!.destinations.push({ id: d.id, routing: d.routing });
  return byAccount;
}

/**
 * Which deliveries a new lead gets: every usable destination with routing "all", every usable
 * destination a matching flow's `crm_push` names (routing "flows" ones only this way), each
 * once; and one delivery per Slack, email or webhook action of every matching flow. Only the
 * account's own destinations are candidates, so a stale id in a flow never reaches another
 * account's destination.
 */
export function planDeliveries(routing: AccountRouting, lead: LeadForRouting): PlannedDelivery[] {
  const routed = routeLead(routing.flows, lead);
  const named = new Set(routed.destinationIds);
  return [
    ...routing.destinations.filter((d) => d.routing === 'all' || named.has(d.id)).map((d) => ({ kind: 'crm', destinationId: d.id })),
    ...routed.actions.map((a) => ({ kind: a.action.type, flowId: a.flowId, actionIndex: a.actionIndex })),
  ];
}
