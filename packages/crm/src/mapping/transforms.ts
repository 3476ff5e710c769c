import type { Transform } from './field-rule';

/** Returned by `number`/`boolean` when the value cannot be read as one; the mapping then fails. */
export const NOT_CONVERTIBLE = Symbol('not convertible');

/** undefined, null and blank strings: what `default` replaces and `required` refuses. */
export function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

/** Text form of any lead value; objects and arrays become JSON rather than "[object Object]". */
export function toText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
const TRUE_WORDS = new Set(['true', 'yes', 'y', 'on', '1']);
const FALSE_WORDS = new Set(['false', 'no', 'n', 'off', '0']);

/** Whitespace-separated tokens of a full name ("  Ada  King Lovelace " → [Ada, King, Lovelace]). */
function nameTokens(value: unknown): string[] {
  return toText(value).trim().split(/\s+/).filter(Boolean);
}

const TRANSFORM_FNS: Record<Transform, (value: unknown) => unknown> = {
  trim: (v) => toText(v).trim(),
  lowercase: (v) => toText(v).toLowerCase(),
  uppercase: (v) => toText(v).toUpperCase(),
  // Phone numbers: keep 0-9, and a '+' only as the first non-space character (E.164 style).
  digits: (v) => {
    const text = toText(v).trim();
    const digits = text.replace(/\D/g, '');
    return digits && text.startsWith('+') ? '+' + digits : digits;
  },
  // The first token; a one-word name is a first name ("Cher" → "Cher").
  firstName: (v) => nameTokens(v)[0] ?? '',
  // Everything after the first token; a one-word name has none, so `default` or `required` decides.
  lastName: (v) => nameTokens(v).slice(1).join(' '),
  string: toText,
  number: (v) => {
    if (typeof v === 'number') return Number.isFinite(v) ? v : NOT_CONVERTIBLE;
    if (typeof v !== 'string') return NOT_CONVERTIBLE;
    const text = v.trim();
    // Plain decimals only: Number() would also take "0x1f", "Infinity" and "1_000"-like surprises.
    return DECIMAL.test(text) ? Number(text) : NOT_CONVERTIBLE;
  },
  boolean: (v) => {
    if (typeof v === 'boolean') return v;
    const word = typeof v === 'number' || typeof v === 'string' ? String(v).trim().toLowerCase() : '';
    if (TRUE_WORDS.has(word)) return true;
    if (FALSE_WORDS.has(word)) return false;
    return NOT_CONVERTIBLE;
  },
};

/**
 * Applies one transform. Empty values pass through untouched so `default`/`required` see them;
 * `number` and `boolean` return NOT_CONVERTIBLE for values they cannot read.
 */
export function applyTransform(value: unknown, transform: Transform): unknown {
  if (isEmpty(value)) return value;
  return TRANSFORM_FNS[transform](value);
}
