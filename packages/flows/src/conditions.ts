import { z } from 'zod';
import { LEAD_FIELDS } from './flow-lead';
import { compilePattern } from './linear-regex';

export const OPERATORS = ['eq', 'neq', 'in', 'contains', 'exists', 'gt', 'lt', 'matches'] as const;
export type Operator = (typeof OPERATORS)[number];

/** Bounds that keep one flow's evaluation cheap, whatever a user sends. */
export const CONDITION_LIMITS = {
  /** Levels of a `when` tree, the root being level 1 and leaves included: groups may sit at 1–9. */
  maxDepth: 10,
  /** Children of one `all`/`any`. */
  maxChildren: 100,
  /** Groups and leaves in one `when`, all levels together. */
  maxNodes: 500,
  /** Entries in one `in` list. */
  maxInValues: 1000,
  maxFieldLength: 200,
  maxStringValueLength: 1000,
  /** `matches` patterns: short ones keep each compiled program (and its cache) small. */
  maxPatternLength: 200,
} as const;

export type Scalar = string | number | boolean | null;

export interface ConditionLeaf {
  /** A dot path into the lead: "data.country", "data.address.city", "source", "createdAt". */
  field: string;
  op: Operator;
  value?: unknown;
}
export type ConditionNode = { all: ConditionNode[] } | { any: ConditionNode[] } | ConditionLeaf;

const scalarSchema = z.union([z.string().max(CONDITION_LIMITS.maxStringValueLength), z.number(), z.boolean(), z.null()]);

/** Dates compare only when written as ISO-8601 ("2024-05-01" or "2024-05-01T10:00:00Z"). */
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

export function isIsoDate(value: unknown): value is string {
  return typeof value === 'string' && ISO_DATE.test(value) && !Number.isNaN(Date.parse(value));
}

/**
 * Why a `matches` pattern is refused, or null when it is usable: it must be short and compile
 * as RE2 (linear-time matching, so no pattern can backtrack; see linear-regex.ts).
 */
export function regexProblem(pattern: string): string | null {
  if (pattern.length > CONDITION_LIMITS.maxPatternLength) {
    return `must be at most ${CONDITION_LIMITS.maxPatternLength} characters`;
  }
  const compiled = compilePattern(pattern);
  return compiled.ok ? null : compiled.problem;
}

/** Why a leaf's `value` does not suit its operator, or null. */
function valueProblem(op: Operator, value: unknown, hasValue: boolean): string | null {
  switch (op) {
    case 'exists':
      return !hasValue || typeof value === 'boolean' ? null : '"exists" takes an optional boolean value';
    case 'eq':
    case 'neq':
    case 'contains':
      return hasValue && scalarSchema.safeParse(value).success ? null : `"${op}" needs a string, number, boolean or null value`;
    case 'in':
      if (!Array.isArray(value) || value.length === 0) return '"in" needs a non-empty array value';
      if (value.length > CONDITION_LIMITS.maxInValues) return `"in" takes at most ${CONDITION_LIMITS.maxInValues} values`;
      return value.every((v) => scalarSchema.safeParse(v).success) ? null : '"in" values must be strings, numbers, booleans or null';
    case 'gt':
    case 'lt':
      return (typeof value === 'number' && Number.isFinite(value)) || isIsoDate(value) ? null : `"${op}" needs a number or an ISO-8601 date string`;
    case 'matches':
      if (typeof value !== 'string' || value === '') return '"matches" needs a regular expression string';
      return regexProblem(value);
  }
}

function fieldProblem(field: string): string | null {
  const [root, ...rest] = field.split('.');
  if (!(LEAD_FIELDS as readonly string[]).includes(root)) {
    return `must start with one of ${LEAD_FIELDS.join(', ')} (a lead's own values live under "data.", e.g. "data.${field}")`;
  }
  if (rest.length > 0 && root !== 'data') return `"${root}" has no fields below it`;
  return rest.some((part) => part === '') ? 'must not contain empty segments' : null;
}

type RawNode = { all?: unknown[]; any?: unknown[]; field?: string; op?: Operator; value?: unknown };

/**
 * One node of a `when` tree at a given depth. Every key is declared optional and the shape is
 * checked afterwards, so an error points at the exact key ("when.all.0.op") instead of a
 * vague "no union member matched". Deeper levels are built level by level, which bounds the
 * depth without recursion the input could drive.
 */
function nodeSchema(depth: number): z.ZodType<ConditionNode> {
  const children =
    depth < CONDITION_LIMITS.maxDepth
      ? z
          .array(nodeSchema(depth + 1))
          .min(1, 'must hold at least one condition')
          .max(CONDITION_LIMITS.maxChildren)
      : z.array(z.unknown());
  return z
    .object({
      all: children.optional(),
      any: children.optional(),
      field: z.string().trim().min(1, 'must name a field').max(CONDITION_LIMITS.maxFieldLength).optional(),
      op: z.enum(OPERATORS).optional(),
      value: z.unknown().optional(),
    })
    .strict()
    .superRefine((node: RawNode, ctx) => {
      const issue = (message: string, path: string[] = []) => ctx.addIssue({ code: 'custom', message, path });
      const groups = ['all', 'any'].filter((k) => k in node);
      const isLeaf = 'field' in node || 'op' in node || 'value' in node;
      if (groups.length > 0 && depth >= CONDITION_LIMITS.maxDepth) {
        return issue(`conditions nest at most ${CONDITION_LIMITS.maxDepth} levels deep`);
      }
      if (groups.length > 1 || (groups.length === 1 && isLeaf)) {
        return issue('a condition is either {all: [...]}, {any: [...]} or {field, op, value}, not several at once');
      }
      if (groups.length === 1) return;
      if (!isLeaf) return issue('a condition needs {all: [...]}, {any: [...]} or {field, op, value}');
      if (node.field === undefined) return issue('a condition needs a field', ['field']);
      if (node.op === undefined) return issue(`a condition needs an op (one of ${OPERATORS.join(', ')})`, ['op']);
      const badField = fieldProblem(node.field);
      if (badField) issue(badField, ['field']);
      const badValue = valueProblem(node.op, node.value, 'value' in node);
      if (badValue) issue(badValue, ['value']);
    }) as unknown as z.ZodType<ConditionNode>;
}

/**
 * Groups and leaves in a tree, counted without recursion and no further than the limits (past
 * them the count no longer matters): the root refinement runs even when a deeper level was
 * refused, on a tree the input may have nested thousands of levels deep.
 */
function countNodes(root: ConditionNode): number {
  let count = 0;
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length > 0 && count <= CONDITION_LIMITS.maxNodes) {
    const [node, depth] = stack.pop()!;
    count += 1;
    const children = node && typeof node === 'object' ? ((node as RawNode).all ?? (node as RawNode).any) : undefined;
    if (Array.isArray(children) && depth < CONDITION_LIMITS.maxDepth) {
      for (const child of children) stack.push([child, depth + 1]);
    }
  }
  return count;
}

/** A flow's `when`: validated, bounded, and every refusal naming its path. */
export const conditionSchema: z.ZodType<ConditionNode> = nodeSchema(1).superRefine((node, ctx) => {
  if (countNodes(node) > CONDITION_LIMITS.maxNodes) {
    ctx.addIssue({ code: 'custom', message: `a condition tree holds at most ${CONDITION_LIMITS.maxNodes} conditions` });
  }
});
