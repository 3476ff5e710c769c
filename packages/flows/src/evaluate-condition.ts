import { CONDITION_LIMITS, isIsoDate, type ConditionLeaf, type ConditionNode } from './conditions';
import { compilePattern } from './linear-regex';
import { readField, type FlowLead } from './flow-lead';

/** `matches` tests at most this many characters of a value: RE2 is linear in the text, so this bounds the time. */
export const MAX_MATCH_INPUT = 2_000;

/**
 * Whether a lead satisfies a validated `when` tree. Never throws: a node it cannot make sense of
 * (stored before a rule changed, say) is simply false.
 *
 * Semantics, for a field's value `v` and the condition's `value`:
 * - A missing field (or a path through a non-object) reads as undefined.
 * - `eq`: same type and ===, so strings are case-sensitive; except that a number and a numeric
 *   string compare as numbers (forms send "42"). Arrays and objects never equal a scalar.
 * - `neq`: exactly `not eq`, so a missing field is "not equal" (a lead without a country is not
 *   from "US").
 * - `in`: `v` eq one of the list; an array `v` matches when any element does.
 * - `contains`: a string `v` holds the value as a substring (case-sensitive); an array `v` holds an
 *   element eq the value. Anything else: false.
 * - `exists` (value defaults to true): `v` is not undefined, null or "". `value: false` inverts it.
 * - `gt`/`lt` with a number: `v` is a number or numeric string and compares numerically.
 *   With an ISO date: `v` is a date (ISO string or Date) and compares by instant. Otherwise false.
 * - `matches`: `v` (a string, or a number as text) tested against the pattern without flags;
 *   only its first MAX_MATCH_INPUT characters are tested.
 */
export function evaluateCondition(node: ConditionNode, lead: FlowLead): boolean {
  if ('all' in node && Array.isArray(node.all)) return node.all.every((child) => evaluateCondition(child, lead));
  if ('any' in node && Array.isArray(node.any)) return node.any.some((child) => evaluateCondition(child, lead));
  if ('field' in node && typeof node.field === 'string') return evaluateLeaf(node, readField(lead, node.field));
  return false;
}

function evaluateLeaf(leaf: ConditionLeaf, v: unknown): boolean {
  const value = leaf.value;
  switch (leaf.op) {
    case 'eq':
      return looselyEqual(v, value);
    case 'neq':
      return !looselyEqual(v, value);
    case 'in':
      return Array.isArray(value) && anyElement(v, (x) => value.some((candidate) => looselyEqual(x, candidate)));
    case 'contains':
      if (typeof v === 'string') return (typeof value === 'string' || typeof value === 'number') && v.includes(String(value));
      return Array.isArray(v) && v.some((x) => looselyEqual(x, value));
    case 'exists':
      return hasValue(v) === (value ?? true);
    case 'gt':
      return compare(v, value) === 1;
    case 'lt':
      return compare(v, value) === -1;
    case 'matches':
      return matches(v, value);
    default:
      return false;
  }
}

function anyElement(v: unknown, test: (x: unknown) => boolean): boolean {
  return Array.isArray(v) ? v.some(test) : test(v);
}

function hasValue(v: unknown): boolean {
  return v !== undefined && v !== null && v !== '';
}

function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v !== 'string' || v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

function looselyEqual(a: unknown, b: unknown): boolean {
  if (a === undefined) return false;
  if (typeof a === 'number' || typeof b === 'number') {
    const x = toNumber(a);
    return x !== undefined && x === toNumber(b);
  }
  return a === b;
}

function toInstant(v: unknown): number | undefined {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? undefined : v.getTime();
  return isIsoDate(v) ? Date.parse(v) : undefined;
}

/** -1, 0 or 1; undefined when the two are not comparable. */
function compare(v: unknown, value: unknown): number | undefined {
  const [x, y] = typeof value === 'number' ? [toNumber(v), value] : [toInstant(v), toInstant(value)];
  if (x === undefined || y === undefined) return undefined;
  return Math.sign(x - y);
}

type Test = (text: string) => boolean;

/** Compiled patterns, bounded so a stream of distinct patterns cannot grow memory. */
const compiled = new Map<string, Test | null>();
const MAX_COMPILED = 500;

function compile(pattern: string): Test | null {
  let test = compiled.get(pattern);
  if (test === undefined) {
    // Checked here too: a stored flow may predate a rule (too long, or only valid for JavaScript).
    const re = pattern.length <= CONDITION_LIMITS.maxPatternLength ? compilePattern(pattern) : undefined;
    test = re?.ok ? re.test : null;
    if (compiled.size >= MAX_COMPILED) compiled.delete(compiled.keys().next().value as string);
    compiled.set(pattern, test);
  }
  return test;
}

function matches(v: unknown, pattern: unknown): boolean {
  if (typeof pattern !== 'string') return false;
  const text = typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
  const test = text === undefined ? null : compile(pattern);
  return test !== null && test(text!.slice(0, MAX_MATCH_INPUT));
}
