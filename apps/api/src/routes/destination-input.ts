import { CRM_TYPES, crmModule, fieldMappingSchema, type FieldRule } from '@crm-push/crm';
import { batchSettingsSchema, laneLimitsSchema } from '@crm-push/delivery';
import { DeliveryError, urlShapeProblem, type NetworkPolicy } from '@crm-push/outbound';
import { z } from 'zod';
import { invalid, toFieldIssues, type FieldIssue } from '../http/validate';

const fields = {
  name: z.string().trim().min(1).max(200),
  enabled: z.boolean(),
  routing: z.enum(['all', 'flows']),
  config: z.record(z.string(), z.unknown()),
  credentials: z.record(z.string(), z.unknown()),
  fieldMapping: z.array(z.unknown()).nullable(),
  /** Flow-control overrides; null clears them (the type's defaults apply). */
  limits: laneLimitsSchema.nullable(),
  /** How deliveries are gathered into batch calls; null clears it (the defaults apply). */
  batch: batchSettingsSchema.nullable(),
};

export const createDestinationSchema = z
  .object({
    ...fields,
    type: z.enum(CRM_TYPES as [string, ...string[]]),
    enabled: fields.enabled.default(true),
    routing: fields.routing.default('all'),
    config: fields.config.default({}),
    credentials: fields.credentials.optional(),
    fieldMapping: fields.fieldMapping.optional(),
    limits: fields.limits.optional(),
    batch: fields.batch.optional(),
  })
  .strict();

export const patchDestinationSchema = z
  .object({
    name: fields.name,
    enabled: fields.enabled,
    routing: fields.routing,
    config: fields.config,
    credentials: fields.credentials,
    fieldMapping: fields.fieldMapping,
    limits: fields.limits,
    batch: fields.batch,
  })
  .partial()
  .strict();

export interface DestinationSettings {
  config: unknown;
  credentials: unknown;
  fieldMapping: FieldRule[] | null;
}

/** Checks config, credentials and mapping against the destination type's own schemas. */
export function validateSettings(type: string, raw: { config: unknown; credentials?: unknown; fieldMapping?: unknown }): DestinationSettings {
  const crm = crmModule(type);
  const issues: FieldIssue[] = [];
  const config = crm.configSchema.safeParse(raw.config);
  if (!config.success) issues.push(...toFieldIssues(config.error.issues, ['config']));
  // A module with defaultCredentials (a custom endpoint needing no auth) may be sent without any; for the others every missing field is named at once.
  const credentials = crm.credentialsSchema.safeParse(raw.credentials ?? crm.defaultCredentials ?? {});
  if (!credentials.success) issues.push(...toFieldIssues(credentials.error.issues, ['credentials']));
  let fieldMapping: FieldRule[] | null = null;
  if (raw.fieldMapping) {
    const mapping = fieldMappingSchema.safeParse(raw.fieldMapping);
    if (!mapping.success) issues.push(...toFieldIssues(mapping.error.issues, ['fieldMapping']));
    else fieldMapping = mapping.data;
  }
  if (issues.length || !config.success || !credentials.success) throw invalid(issues);
  return { config: config.data, credentials: credentials.data, fieldMapping };
}

/**
 * Refuses destinations on loopback or private networks unless ALLOW_PRIVATE_DESTINATIONS is set.
 * A name that does not resolve right now is accepted: every call checks its address again.
 */
/** A refused private address says how to allow one (a malformed URL does not: no setting helps). */
function allowHint(err: DeliveryError, url: string, network: NetworkPolicy): string {
  if (network.allowPrivateNetworks || err.code !== 'DESTINATION_NOT_ALLOWED' || urlShapeProblem(url)) return err.message;
  return `${err.message}; set ALLOW_PRIVATE_DESTINATIONS=true to allow loopback and private networks (for development and on-premises CRMs)`;
}

export async function assertDestinationReachable(type: string, settings: DestinationSettings, network: NetworkPolicy): Promise<void> {
  for (const url of crmModule(type).urlsOf(settings.config, settings.credentials)) {
    try {
      await network.assertUrlAllowed(url);
    } catch (err) {
      if (!(err instanceof DeliveryError)) throw err;
      if (!err.retryable) throw invalid([{ path: 'config', message: allowHint(err, url, network) }]);
    }
  }
}
