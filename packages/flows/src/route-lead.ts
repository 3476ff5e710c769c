import type { FlowAction, SideAction } from './actions';
import type { ConditionNode } from './conditions';
import { evaluateCondition } from './evaluate-condition';
import type { FlowLead } from './flow-lead';

export interface RoutableFlow {
  id: string;
  enabled: boolean;
  when: ConditionNode;
  actions: FlowAction[];
}

export interface RoutedAction {
  flowId: string;
  /** Position in the flow's `actions`: with flowId and the lead, a stable key for the action's job. */
  actionIndex: number;
  action: SideAction;
}

export interface Routing {
  /** Destinations named by matching flows' `crm_push`, each once, in first-named order. */
  destinationIds: string[];
  actions: RoutedAction[];
}

/**
 * What a new lead's matching flows ask for. Only `crm_push` destinations come out here; the
 * caller adds its `routing: "all"` destinations and dedupes again, so a destination named by both
 * still gets one delivery.
 */
export function routeLead(flows: RoutableFlow[], lead: FlowLead): Routing {
  const destinationIds = new Set<string>();
  const actions: RoutedAction[] = [];
  for (const flow of flows) {
    if (!flow.enabled || !evaluateCondition(flow.when, lead)) continue;
    flow.actions.forEach((action, actionIndex) => {
      if (action.type === 'crm_push') action.destinationIds.forEach((id) => destinationIds.add(id));
      else actions.push({ flowId: flow.id, actionIndex, action });
    });
  }
  return { destinationIds: [...destinationIds], actions };
}
