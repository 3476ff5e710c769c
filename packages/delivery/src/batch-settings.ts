import { crmModule, isCrmType } from '@crm-push/crm';
import { z } from 'zod';

/** A destination's `batch` setting as the API takes it (docs/api.md, "Batching"). */
export const batchSettingsSchema = z
  .object({
    enabled: z.boolean().optional(),
    maxSize: z.number().int().min(1).max(200).optional(),
    maxWaitMs: z.number().int().min(0).max(10_000).optional(),
  })
  .strict();

export type BatchSettings = z.infer<typeof batchSettingsSchema>;

const DEFAULT_MAX_WAIT_MS = 200;

export interface EffectiveBatch {
  maxSize: number;
  maxWaitMs: number;
  /** How long the claim holds [CLAIM_LEASE_MS]; a Bulk job's is longer (bulk-backlog.ts). */
  leaseMs?: number;
}

/** How a destination batches, or null when it pushes one record per call. */
export function effectiveBatch(destination: { type: string; batch: unknown }): EffectiveBatch | null {
  // What the CRM module says its batch API takes; a type without one pushes one by one.
  const vendorMax = isCrmType(destination.type) ? crmModule(destination.type).batching?.maxRecords : undefined;
  if (!vendorMax) return null;
  const parsed = batchSettingsSchema.safeParse(destination.batch ?? {});
  const settings = parsed.success ? parsed.data : {};
  // On unless turned off (docs/api.md: `enabled` defaults to true for the vendors that have a batch API).
  if (settings.enabled === false || settings.maxSize === 1) return null;
  return { maxSize: Math.min(settings.maxSize ?? vendorMax, vendorMax), maxWaitMs: settings.maxWaitMs ?? DEFAULT_MAX_WAIT_MS };
}
