/** Every queue of the system; Bull Board shows each. */
export const QUEUE_NAMES = {
  /** One job per (lead, CRM destination). */
  crm: 'crm-deliveries',
  /** One job per flow action (Slack, email, webhook) of a lead. */
  actions: 'flow-actions',
  /** The scheduled sweep and other housekeeping. */
  maintenance: 'maintenance',
} as const;

export type QueueKey = keyof typeof QUEUE_NAMES;
