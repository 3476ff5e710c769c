import { invalidBody } from '../source-error';

const MAX_DEPTH = 32;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
// PostgreSQL's jsonb cannot hold NUL, and lone surrogates are not text.
// eslint-disable-next-line no-control-regex -- NUL is exactly what is refused
const NOT_STORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Refuses (400, naming the field) what cannot be stored as given; see docs/api.md "Conventions". */
export function assertStorable(value: unknown, path = '(body)', depth = 0): void {
  if (depth > MAX_DEPTH) throw invalidBody(`${path}: nested deeper than ${MAX_DEPTH} levels`);
  if (typeof value === 'string') {
    if (NOT_STORABLE.test(value)) throw invalidBody(`${path}: contains a NUL character or a lone surrogate`);
    return;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) throw invalidBody(`${path}: number outside the double range`);
  if (typeof value !== 'object' || value === null) return;
  for (const [key, inner] of Object.entries(value)) {
    const at = path === '(body)' ? key : `${path}.${key}`;
    if (FORBIDDEN_KEYS.has(key)) throw invalidBody(`${at}: the key "${key}" is not allowed`);
    if (NOT_STORABLE.test(key)) throw invalidBody(`${at}: the key contains a NUL character or a lone surrogate`);
    assertStorable(inner, at, depth + 1);
  }
}
