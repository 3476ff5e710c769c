import { CRM_TYPES, crmModule, fieldMappingSchema, type CrmType } from '@crm-push/crm';
import { z } from 'zod';
import { createDestinationSchema, patchDestinationSchema } from '../routes/destination-input';

/**
 * The destination bodies as the API enforces them. The route's own schema takes `config` and
 * `credentials` as open objects and validateSettings then checks them against the type's schemas;
 * here the two steps are joined (the route schema extended with the type's schemas), so a reader
 * sees each type's real fields.
 */

const acceptsNothing = (schema: z.ZodType) => schema.safeParse(undefined).success || schema.safeParse({}).success;

function createBodyFor(type: CrmType) {
  const crm = crmModule(type);
  return createDestinationSchema.extend({
    type: z.literal(type),
    // The route defaults config to {}, so a type whose config is all defaults may omit it.
    config: acceptsNothing(crm.configSchema) ? crm.configSchema.optional() : crm.configSchema,
    // validateSettings uses the module's defaultCredentials when a body has none.
    credentials: crm.defaultCredentials === undefined ? crm.credentialsSchema : crm.credentialsSchema.optional(),
    fieldMapping: fieldMappingSchema.nullable().optional(),
  });
}

export const destinationCreateBodies = Object.fromEntries(CRM_TYPES.map((type) => [type, createBodyFor(type)])) as Record<
  CrmType,
  ReturnType<typeof createBodyFor>
>;

export const destinationCreateBody = z.discriminatedUnion(
  'type',
  CRM_TYPES.map((type) => destinationCreateBodies[type]) as [ReturnType<typeof createBodyFor>, ...ReturnType<typeof createBodyFor>[]],
);

const anyOfTypes = (pick: (type: CrmType) => z.ZodType) => z.union(CRM_TYPES.map(pick) as [z.ZodType, z.ZodType, ...z.ZodType[]]);

/** A PATCH is checked against the stored destination's type, which the body does not name. */
export const destinationPatchBody = patchDestinationSchema
  .extend({
    config: anyOfTypes((type) => crmModule(type).configSchema),
    credentials: anyOfTypes((type) => crmModule(type).credentialsSchema),
    fieldMapping: fieldMappingSchema.nullable(),
  })
  .partial();
