import { z } from 'zod';
import { fromPathProblem, toPathProblem } from './path';
import { isTemplate, validateTemplate } from '@crm-push/outbound';

/**
 * Transforms a FieldRule may apply, in order. `firstName`/`lastName` split a full name
 * ("Ada King Lovelace" → "Ada" / "King Lovelace"); see transforms.ts for each one's rules.
 */
export const TRANSFORMS = ['trim', 'lowercase', 'uppercase', 'digits', 'firstName', 'lastName', 'string', 'number', 'boolean'] as const;
export type Transform = (typeof TRANSFORMS)[number];

export const fieldRuleSchema = z
  .object({
    /**
     * A dot path into the lead's `data` ("address.city", "phones.0"), one of the lead's own fields
     * with a leading `$` (`$id`, `$source`, `$externalId`, `$createdAt`), or a Liquid `{{template}}`
     * over `{data, source, externalId, id, createdAt}`.
     */
    from: z
      .string()
      .trim()
      .min(1, { message: 'must name a field or a {{template}}', abort: true })
      .superRefine((from, ctx) => {
        const problem = isTemplate(from) ? validateTemplate(from) : fromPathProblem(from);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }),
    /** The destination's field name; a dot path ("contact.email") builds nested objects. */
    to: z
      .string()
      .trim()
      .min(1, { message: 'must name the destination field', abort: true })
      .max(255, { abort: true })
      .superRefine((to, ctx) => {
        const problem = toPathProblem(to);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }),
    transform: z.array(z.enum(TRANSFORMS)).optional(),
    /** Used, untransformed, when `from` yields nothing (missing, null or blank after transforms). */
    default: z.union([z.string(), z.number(), z.boolean()]).optional(),
    /** Without a value (after transforms and default), the delivery fails with MAPPING_ERROR. */
    required: z.boolean().optional(),
  })
  .strict();

export type FieldRule = z.infer<typeof fieldRuleSchema>;

/** A destination's rules: each `to` names one field, and no `to` lies inside another ("a" and "a.b"). */
export const fieldMappingSchema = z
  .array(fieldRuleSchema)
  .max(500)
  .superRefine((rules, ctx) => {
    const seen = new Map<string, number>();
    rules.forEach((rule, index) => {
      // zod may still run this after a rule's own non-fatal issue; only compare real targets.
      if (typeof rule?.to !== 'string') return;
      const clash = [...seen.keys()].find((other) => other === rule.to || other.startsWith(rule.to + '.') || rule.to.startsWith(other + '.'));
      if (clash !== undefined) {
        const message =
          clash === rule.to
            ? `"${rule.to}" is already the target of rule ${seen.get(clash)}`
            : `"${rule.to}" overlaps "${clash}" (rule ${seen.get(clash)}): one would overwrite the other`;
        ctx.addIssue({ code: 'custom', path: [index, 'to'], message });
      }
      seen.set(rule.to, index);
    });
  });
