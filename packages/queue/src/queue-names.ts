/**
 * A delivery is of one of two classes: a CRM push (`crm`) or a flow action (`action`: Slack,
 * email, webhook). The class is the word for that split everywhere: its job's name, its queue's
 * key, and (below) its queue. The delivery row's `kind` says more: 'crm' or the action's type.
 */
export type DeliveryClass = 'crm' | 'action';

export function deliveryClassOf(kind: string): DeliveryClass {
  return kind === 'crm' ? 'crm' : 'action';
}

/** Every queue of the system by key; the values are the names Redis and Bull Board show. */
export const QUEUE_NAMES = {
  /** One job per (lead, CRM destination). */
  crm: 'crm-deliveries',
  /** One job per flow action (Slack, email, webhook) of a lead. */
  action: 'flow-actions',
  /** One job per lead a source only announced (Meta Lead Ads): fetch it, then store it. */
  sources: 'source-fetches',
  /** The scheduled sweep and other housekeeping. */
  maintenance: 'maintenance',
} as const;

export type QueueKey = keyof typeof QUEUE_NAMES;
