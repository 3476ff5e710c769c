import type { JsonSchema } from './schema-components';

const DEFS = '#/$defs/';
/** A part this small is written out wherever it is used, however often. */
const INLINE_MAX_CHARS = 1024;

/**
 * zod (with `reused: 'ref'`) moves every subschema it meets twice into `$defs`, down to a
 * `{type: "string"}`. Puts back the parts a reader would rather see in place: those used once,
 * and small ones that refer to no other part. Big shared parts stay shared, so the levels of a
 * flow's `when` tree (each holding the next one twice) keep the document linear in size.
 */
export function inlineParts(root: JsonSchema, parts: Map<string, JsonSchema>): JsonSchema {
  for (;;) {
    const uses = countUses([root, ...parts.values()]);
    const inlined = [...parts].filter(([key, part]) => {
      const count = uses.get(key) ?? 0;
      return count <= 1 || (!refersToParts(part, parts) && JSON.stringify(part).length <= INLINE_MAX_CHARS);
    });
    if (!inlined.length) return root;
    const replacements = new Map(inlined);
    for (const [key] of inlined) parts.delete(key);
    root = substitute(root, replacements) as JsonSchema;
    for (const [key, part] of parts) parts.set(key, substitute(part, replacements) as JsonSchema);
  }
}

/** Rewrites every `#/$defs/<key>` reference with `rename(key)`. */
export function renameRefs(node: unknown, rename: (key: string) => string): unknown {
  if (Array.isArray(node)) return node.map((n) => renameRefs(n, rename));
  if (!node || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node).map(([key, value]) =>
      key === '$ref' && typeof value === 'string' && value.startsWith(DEFS) ? [key, rename(value.slice(DEFS.length))] : [key, renameRefs(value, rename)],
    ),
  );
}

function partOf(node: unknown): string | undefined {
  const ref = (node as { $ref?: unknown } | null)?.$ref;
  return typeof ref === 'string' && ref.startsWith(DEFS) ? ref.slice(DEFS.length) : undefined;
}

function countUses(nodes: unknown[]): Map<string, number> {
  const uses = new Map<string, number>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    const key = partOf(node);
    if (key) uses.set(key, (uses.get(key) ?? 0) + 1);
    Object.values(node).forEach(visit);
  };
  nodes.forEach(visit);
  return uses;
}

function refersToParts(node: unknown, parts: Map<string, JsonSchema>): boolean {
  if (Array.isArray(node)) return node.some((n) => refersToParts(n, parts));
  if (!node || typeof node !== 'object') return false;
  const key = partOf(node);
  return (key !== undefined && parts.has(key)) || Object.values(node).some((n) => refersToParts(n, parts));
}

function substitute(node: unknown, replacements: Map<string, JsonSchema>): unknown {
  if (Array.isArray(node)) return node.map((n) => substitute(n, replacements));
  if (!node || typeof node !== 'object') return node;
  const key = partOf(node);
  const replacement = key === undefined ? undefined : replacements.get(key);
  if (replacement) {
    // Keywords beside the $ref (a description, a default) stay with the inlined part.
    const { $ref: _ref, ...beside } = node as JsonSchema;
    return substitute({ ...replacement, ...beside }, replacements);
  }
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, substitute(v, replacements)]));
}
