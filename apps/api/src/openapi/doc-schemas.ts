import { fieldRuleSchema } from '@crm-push/crm';
import { conditionSchema, flowInputSchema, flowPatchSchema } from '@crm-push/flows';
import { z } from 'zod';
import { leadInputSchema } from '../routes/leads';
import { destinationCreateBody, destinationPatchBody } from './destination-bodies';
import * as out from './response-schemas';

/**
 * The schemas worth a name in the document. zod-openapi renders a schema in `components.schemas`
 * (registered below) in both directions, and refuses a transform in the output direction; so
 * the schemas holding a transform (destination configs, a flow's action list) are named with
 * `.meta({ id })` copies instead, which it renders only where they are read: as request bodies.
 * The copies are made once, here (an id may be given to one schema only).
 */

/** The levels of a flow's `when` tree: each holds the next one twice (`all` and `any`), so each is shared by name. */
function conditionLevels(): [string, z.ZodType][] {
  const levels: [string, z.ZodType][] = [['Condition', conditionSchema]];
  let node = conditionSchema as unknown as z.ZodObject;
  for (let depth = 2; ; depth++) {
    const children = node.shape?.all as z.ZodOptional<z.ZodArray<z.ZodObject>> | undefined;
    const next = children?.unwrap().element;
    if (!(next instanceof z.ZodObject)) return levels;
    levels.push([`ConditionLevel${depth}`, next]);
    node = next;
  }
}

/** Named by registration: referenced wherever they appear, in requests and answers alike. */
export const COMPONENT_SCHEMAS: Record<string, z.ZodType> = {
  Error: out.errorEnvelopeSchema,
  LeadInput: leadInputSchema,
  FieldRule: fieldRuleSchema,
  ...Object.fromEntries(conditionLevels()),
  Account: out.accountCreatedSchema,
  ApiKey: out.apiKeySchema,
  Destination: out.destinationSchema,
  ConnectionTest: out.connectionTestSchema,
  LeadAccepted: out.leadAcceptedSchema,
  Lead: out.leadSchema,
  CrmDelivery: out.crmDeliverySchema,
  ActionDelivery: out.actionDeliverySchema,
  Attempt: out.attemptSchema,
  DeliveryDetail: out.deliveryDetailSchema,
  Flow: out.flowSchema,
  Readiness: out.readinessSchema,
};

const named = <S extends z.ZodType>(schema: S, id: string): S => schema.meta({ id }) as S;

/** Request bodies documented under a name of their own, by the schema the route validates with. */
export const NAMED_BODIES = new Map<z.ZodType, z.ZodType>([
  [flowInputSchema, named(flowInputSchema, 'FlowInput')],
  [flowPatchSchema, named(flowPatchSchema, 'FlowPatch')],
  [destinationCreateBody, named(destinationCreateBody, 'DestinationInput')],
  [destinationPatchBody, named(destinationPatchBody, 'DestinationPatch')],
]);
