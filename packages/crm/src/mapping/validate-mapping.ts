import { fieldMappingSchema, type FieldRule } from './field-rule';

export interface MappingIssue {
  /** Where in the rule list, e.g. [2, "transform", 0] or [1, "to"]. */
  path: (string | number)[];
  message: string;
}

/**
 * Checks a destination's fieldMapping before it is stored: the FieldRule schema, every
 * `{{template}}` parses, and every `to` is unique. The api answers 400 with these issues.
 */
export function validateMapping(rules: unknown): { ok: true; rules: FieldRule[] } | { ok: false; issues: MappingIssue[] } {
  const parsed = fieldMappingSchema.safeParse(rules);
  if (parsed.success) return { ok: true, rules: parsed.data };
  return {
    ok: false,
    issues: parsed.error.issues.map((issue) => ({
      path: issue.path.map((key) => (typeof key === 'number' ? key : String(key))),
      message: issue.message,
    })),
  };
}
