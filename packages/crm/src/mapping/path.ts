import { LEAD_FIELDS, type MappingInput } from './lead-context';

/** Segments that would reach an object's prototype when written; refused in every `to`. */
const UNSAFE_SEGMENTS = new Set(['__proto__', 'prototype', 'constructor']);

/** Null when `path` ("address.city") has no empty segment; otherwise the reason. */
export function fromPathProblem(path: string): string | null {
  if (path.startsWith('$')) {
    const field = path.slice(1);
    return (LEAD_FIELDS as readonly string[]).includes(field)
      ? null
      : `"${path}" is not a lead field (use one of ${LEAD_FIELDS.map((f) => '$' + f).join(', ')})`;
  }
  return path.split('.').some((s) => s === '') ? `"${path}" has an empty segment` : null;
}

/** Null when `to` is a usable (possibly nested) destination field name; otherwise the reason. */
export function toPathProblem(path: string): string | null {
  const segments = path.split('.');
  if (segments.some((s) => s === '')) return `"${path}" has an empty segment`;
  const unsafe = segments.find((s) => UNSAFE_SEGMENTS.has(s));
  return unsafe ? `"${unsafe}" cannot be used as a field name` : null;
}

/**
 * Reads a FieldRule `from` path: `$source` etc. name the lead's own fields; anything else is a dot
 * path into `data` (numeric segments index arrays: "phones.0"). Only own properties are followed,
 * so "constructor" or "__proto__" read as missing. Missing → undefined, never an error.
 */
export function readPath(lead: MappingInput, path: string): unknown {
  if (path.startsWith('$')) {
    const field = path.slice(1);
    if (field === 'createdAt') return lead.createdAt?.toISOString();
    return (LEAD_FIELDS as readonly string[]).includes(field) ? lead[field as keyof MappingInput] : undefined;
  }
  let value: unknown = lead.data;
  for (const segment of path.split('.')) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, segment)) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

/**
 * Writes `value` at a dot path, creating nested objects ("contact.email" → {contact: {email}}).
 * Returns false when a segment on the way already holds a non-object value (or the path is unsafe).
 */
export function writePath(target: Record<string, unknown>, path: string, value: unknown): boolean {
  const segments = path.split('.');
  if (segments.some((s) => s === '' || UNSAFE_SEGMENTS.has(s))) return false;
  let node = target;
  for (const segment of segments.slice(0, -1)) {
    const next = Object.hasOwn(node, segment) ? node[segment] : (node[segment] = {});
    if (next === null || typeof next !== 'object' || Array.isArray(next)) return false;
    node = next as Record<string, unknown>;
  }
  node[segments[segments.length - 1]] = value;
  return true;
}
