import { z } from 'zod';
import type { QueueKey } from './queue-names';

/**
 * Each job name: its queue and payload schema, shared by the side that enqueues and the side
 * that handles. Payloads carry ids only; handlers reload state from PostgreSQL.
 */
export const JOBS = {
  deliver: { queue: 'crm', payload: z.object({ deliveryId: z.string().min(1) }) },
  action: { queue: 'actions', payload: z.object({ deliveryId: z.string().min(1) }) },
  sweep: { queue: 'maintenance', payload: z.object({}) },
  'push-pending': { queue: 'maintenance', payload: z.object({ operationId: z.string().min(1) }) },
} as const satisfies Record<string, { queue: QueueKey; payload: z.ZodType }>;

export type JobName = keyof typeof JOBS;
export type JobPayload<N extends JobName> = z.infer<(typeof JOBS)[N]['payload']>;

/** Delivery kinds that are CRM pushes; every other kind is a flow action. */
export function jobNameForKind(kind: string): 'deliver' | 'action' {
  return kind === 'crm' ? 'deliver' : 'action';
}
