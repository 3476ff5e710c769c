import { z } from 'zod';
import type { DeliveryClass, QueueKey } from './queue-names';

/**
 * Each job name: its queue and payload schema, shared by the side that enqueues and the side
 * that handles. Payloads carry ids only; handlers reload state from PostgreSQL. A delivery's job
 * is named by its class, in its class's queue.
 */
export const JOBS = {
  // Earlier releases named this job `deliver`: such a job left in Redis fails at once as an unknown
  // name, and the sweep enqueues its delivery (still queued in PostgreSQL) again under this one.
  crm: { queue: 'crm', payload: deliveryPayload() },
  action: { queue: 'action', payload: deliveryPayload() },
  sweep: { queue: 'maintenance', payload: z.object({}) },
  /** Daily: trims the attempt log to ATTEMPT_RETENTION_DAYS. */
  retention: { queue: 'maintenance', payload: z.object({}) },
  'push-pending': { queue: 'maintenance', payload: z.object({ operationId: z.string().min(1) }) },
  /** LEAD_RETENTION_DAYS: erases leads older than that, in batches. */
  'erase-expired': { queue: 'maintenance', payload: z.object({}) },
  /** Jobs of erased leads that were running at the erasure, removed once they have finished. */
  'forget-jobs': {
    queue: 'maintenance',
    payload: z.object({
      jobs: z
        .array(z.object({ id: z.string().min(1), kind: z.string().min(1), destinationId: z.string().nullish(), round: z.number().int().positive().optional() }))
        .min(1),
    }),
  },
  /** `ref` is the platform's lead id; `eventId` the call that announced it. No secrets. */
  'fetch-lead': {
    queue: 'sources',
    payload: z.object({ sourceId: z.string().min(1), ref: z.string().min(1), eventId: z.string().min(1), receivedAt: z.iso.datetime() }),
  },
} as const satisfies Record<string, { queue: QueueKey; payload: z.ZodType }> & Record<DeliveryClass, { queue: DeliveryClass; payload: z.ZodType }>;

/** A delivery job names the delivery and the push round it was made for (absent in jobs of older releases: round 1). */
function deliveryPayload() {
  return z.object({ deliveryId: z.string().min(1), round: z.number().int().min(1).optional() });
}

export type JobName = keyof typeof JOBS;
export type JobPayload<N extends JobName> = z.infer<(typeof JOBS)[N]['payload']>;
