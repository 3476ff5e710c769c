/** Every queue of the system; Bull Board shows each. */
export const QUEUE_NAMES = {
  /** One job per (lead, CRM destination). */
  crm: 'crm-deliveries',
  /** One job per flow action (Slack, email, webhook) of a lead. */
  actions: 'flow-actions',
  /** One job per lead a source only announced (Meta Lead Ads): fetch it, then store it. */
  sources: 'source-fetches',
  /** The scheduled sweep and other housekeeping. */
  maintenance: 'maintenance',
} as const;

export type QueueKey = keyof typeof QUEUE_NAMES;
