import { queryDirect, type Db } from '@crm-push/db';
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
 * Both halves of an account's routing in one statement: its enabled flows, then its usable
 * destinations, each in id order. The function load_routing (migration 20261203170000) keeps
 * its plan per connection: as a plain statement it was planned again for every ingest batch.
 */
const LOAD_ROUTING = 'SELECT part, id, "accountId", "when", actions, routing FROM load_routing($1::text[])';

type RoutingRow =
  { part: 'flow'; id: string; accountId: string; when: unknown; actions: unknown } | { part: 'destination'; id: string; accountId: string; routing: string };

/**
 * Reads the routing of several accounts in one statement (the ingester batches the accounts of
 * concurrent requests), run without Prisma's runtime like the insert that follows it (see
 * queryDirect). Read fresh every time: a cache would route leads by stale flows.
 */
export async function loadRouting(db: Db, accountIds: readonly string[]): Promise<Map<string, AccountRouting>> {
  const ids = [...new Set(accountIds)];
  const { rows } = await queryDirect<RoutingRow>(db, LOAD_ROUTING, [ids]);
  const byAccount = new Map(ids.map((id) => [id, { flows: [], destinations: [] } as AccountRouting]));
  for (const row of rows) {
    const routing = byAccount.get(row.accountId)!;
    // Stored webhook and Slack actions carry sealed secrets instead of signingSecret / webhookUrl;
    // routing reads only each action's type and crm_push ids, so the stored shape serves as it is.
    if (row.part === 'flow') {
      routing.flows.push({ id: row.id, enabled: true, when: row.when as ConditionNode, actions: storedActions(row.actions) as unknown as FlowAction[] });
    } else routing.destinations.push({ id: row.id, routing: row.routing });
  }
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
