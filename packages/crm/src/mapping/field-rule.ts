import { z } from 'zod';

/**
 * Transforms a FieldRule may apply, in order. `firstName`/`lastName` split a full name
 * ("Ada King Lovelace" → "Ada" / "King Lovelace").
 */
export const TRANSFORMS = ['trim', 'lowercase', 'uppercase', 'digits', 'firstName', 'lastName', 'string', 'number', 'boolean'] as const;
export type Transform = (typeof TRANSFORMS)[number];

export const fieldRuleSchema = z
  .object({
    /** A dot path into the lead's `data` ("address.city"), or a `{{template}}` over the whole lead. */
    from: z.string().trim().min(1, 'must name a field or a {{template}}'),
    /** The destination's field name. */
    to: z.string().trim().min(1, 'must name the destination field'),
    transform: z.array(z.enum(TRANSFORMS)).optional(),
    /** Used when `from` yields nothing. */
    default: z.union([z.string(), z.number(), z.boolean()]).optional(),
    /** Without a value (after transforms and default), the delivery fails with MAPPING_ERROR. */
    required: z.boolean().optional(),
  })
  .strict();

export type FieldRule = z.infer<typeof fieldRuleSchema>;

export const fieldMappingSchema = z.array(fieldRuleSchema).max(500);
