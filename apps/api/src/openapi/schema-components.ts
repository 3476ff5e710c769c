import { z } from 'zod';
import { inlineParts, renameRefs } from './shared-parts';

export type JsonSchema = { [key: string]: unknown };
export type Io = 'input' | 'output';

const COMPONENT_PREFIX = '#/components/schemas/';

/**
 * Turns zod schemas into OpenAPI 3.1 schema components (JSON Schema 2020-12) with zod's own
 * converter, so the document shows exactly what `parse` enforces.
 *
 * Two things zod's output needs before it fits in an OpenAPI document:
 * - parts used more than once are kept as references (`reused: 'ref'`, then inlineParts puts the
 *   small ones back), or a flow's `when` tree, whose ten levels each hold the next one twice
 *   (`all` and `any`), would be copied 2^10 times;
 * - zod writes those parts to `$defs` with `#/$defs/...` pointers, which inside an OpenAPI
 *   document would resolve against the document root; they become components/schemas.
 */
export class SchemaComponents {
  private readonly registry = z.registry<{ id: string }>();
  private readonly schemas = new Map<string, JsonSchema>();
  private readonly named: [string, z.ZodType, Io][];

  /**
   * `named` schemas become components of those names wherever they appear. Each is converted
   * once, in its own direction (input or output), and referenced as that from both directions.
   */
  constructor(named: Record<string, [z.ZodType, Io]>) {
    this.named = Object.entries(named).map(([name, [schema, io]]) => [name, schema, io]);
    // Registered before any conversion, so each one is a $ref wherever another schema holds it.
    for (const [name, schema] of this.named) this.registry.add(schema, { id: name });
    for (const [name, schema, io] of this.named) this.schemas.set(name, this.convert(name, schema, io));
  }

  /** A `$ref` to a named component. */
  ref(name: string): JsonSchema {
    if (!this.schemas.has(name)) throw new Error(`no schema component named ${name}`);
    return { $ref: COMPONENT_PREFIX + name };
  }

  /** An inline schema (a parameter's, an anonymous body's); its shared parts become components named after `owner`. */
  inline(owner: string, schema: z.ZodType, io: Io): JsonSchema {
    return this.convert(owner, schema, io);
  }

  /** Every component that `roots` reach, by name; parts only a dropped copy referenced are left out. */
  reachableFrom(roots: unknown): Record<string, JsonSchema> {
    const seen = new Set<string>();
    const visit = (node: unknown): void => {
      if (Array.isArray(node)) return node.forEach(visit);
      if (!node || typeof node !== 'object') return;
      for (const [key, value] of Object.entries(node)) {
        if (key === '$ref' && typeof value === 'string' && value.startsWith(COMPONENT_PREFIX)) {
          const name = value.slice(COMPONENT_PREFIX.length);
          if (!seen.has(name)) {
            seen.add(name);
            visit(this.schemas.get(name));
          }
        } else visit(value);
      }
    };
    visit(roots);
    return Object.fromEntries([...this.schemas].filter(([name]) => seen.has(name)).sort(([a], [b]) => a.localeCompare(b)));
  }

  private convert(owner: string, schema: z.ZodType, io: Io): JsonSchema {
    const converted = z.toJSONSchema(schema, {
      io,
      reused: 'ref',
      unrepresentable: 'any',
      // Ids come from this document's own registry (no global side effects on shared schemas);
      // descriptions from `.describe()`, which zod keeps in its global registry.
      metadata: this.registry,
      override: (ctx) => {
        const json = ctx.jsonSchema;
        const description = z.globalRegistry.get(ctx.zodSchema)?.description;
        if (description && json.description === undefined) json.description = description;
        // zod spells out its date-time regex and the safe-integer range; `format` and `integer` say as much.
        if (json.format === 'date-time') delete json.pattern;
        if (json.maximum === Number.MAX_SAFE_INTEGER) delete json.maximum;
        if (json.minimum === Number.MIN_SAFE_INTEGER) delete json.minimum;
      },
    }) as JsonSchema;
    const { $defs = {}, $schema: _dialect, ...top } = converted as { $defs?: Record<string, JsonSchema> } & JsonSchema;
    // A named schema converted on its own comes back as a reference to its own definition.
    const ownDefinition = top.$ref === `#/$defs/${owner}` && this.isNamed(owner);
    // Named schemas are converted once, on their own; the copies other conversions carry are dropped.
    const parts = new Map(Object.entries($defs).filter(([key]) => !this.isNamed(key)));
    const root = inlineParts(ownDefinition ? $defs[owner] : top, parts);
    const names = new Map([...parts.keys()].map((key, i) => [key, `${owner}_${i + 1}`]));
    const rename = (key: string) => COMPONENT_PREFIX + (this.isNamed(key) ? key : names.get(key));
    for (const [key, part] of parts) this.schemas.set(names.get(key)!, renameRefs(part, rename) as JsonSchema);
    return renameRefs(root, rename) as JsonSchema;
  }

  private isNamed(name: string): boolean {
    return this.named.some(([n]) => n === name);
  }
}
