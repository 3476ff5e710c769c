import { CRM_TYPES, crmModule, fieldMappingSchema, type CrmType } from '@crm-push/crm';
import { z } from 'zod';
import { createDestinationSchema, patchDestinationSchema } from '../routes/destination-input';

/**
 * The destination bodies as the API enforces them. The route's own schema takes `config` and
 * `credentials` as open objects and validateSettings then checks them against the type's schemas;
 * here the two steps are joined (the route schema extended with the type's schemas), so a reader
 * sees each type's real fields. Each type's parts are named after it in the document (see
 * doc-schemas.ts for why by `.meta({ id })`).
 */

const acceptsNothing = (schema: z.ZodType) => schema.safeParse(undefined).success || schema.safeParse({}).success;

/** Each type's config and credentials schemas, named once. */
const typeParts = Object.fromEntries(
  CRM_TYPES.map((type) => {
    const crm = crmModule(type);
    return [
      type,
      { config: crm.configSchema.meta({ id: `${crm.displayName}Config` }), credentials: crm.credentialsSchema.meta({ id: `${crm.displayName}Credentials` }) },
    ];
  }),
) as Record<CrmType, { config: z.ZodType; credentials: z.ZodType }>;

function createBodyFor(type: CrmType) {
  const crm = crmModule(type);
  const { config, credentials } = typeParts[type];
  return createDestinationSchema
    .extend({
      type: z.literal(type),
      // The route defaults config to {}, so a type whose config is all defaults may omit it.
      config: acceptsNothing(crm.configSchema) ? config.optional() : config,
      // validateSettings uses the module's defaultCredentials when a body has none.
      credentials: crm.defaultCredentials === undefined ? credentials : credentials.optional(),
      fieldMapping: fieldMappingSchema.nullable().optional(),
    })
    .meta({ id: `${crm.displayName}DestinationInput` });
}

const destinationCreateBodies = Object.fromEntries(CRM_TYPES.map((type) => [type, createBodyFor(type)])) as Record<CrmType, ReturnType<typeof createBodyFor>>;

export const destinationCreateBody = z.discriminatedUnion(
  'type',
  CRM_TYPES.map((type) => destinationCreateBodies[type]) as [ReturnType<typeof createBodyFor>, ...ReturnType<typeof createBodyFor>[]],
);

const anyOfTypes = (pick: (type: CrmType) => z.ZodType) => z.union(CRM_TYPES.map(pick) as [z.ZodType, z.ZodType, ...z.ZodType[]]);

/** A PATCH is checked against the stored destination's type, which the body does not name. */
export const destinationPatchBody = patchDestinationSchema
  .extend({
    config: anyOfTypes((type) => typeParts[type].config),
    credentials: anyOfTypes((type) => typeParts[type].credentials),
    fieldMapping: fieldMappingSchema.nullable(),
  })
  .partial();
