import { z } from 'zod';
import { sourceModule, SOURCE_TYPES } from './registry';

const settings = {
  config: z.record(z.string(), z.unknown()).optional(),
  credentials: z.record(z.string(), z.unknown()).optional(),
};

export const createSourceSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    type: z.enum(SOURCE_TYPES as [string, ...string[]]),
    enabled: z.boolean().default(true),
    ...settings,
  })
  .strict();

export const patchSourceSchema = z.object({ name: z.string().trim().min(1).max(200).optional(), enabled: z.boolean().optional(), ...settings }).strict();

export type SettingsResult =
  { ok: true; config: Record<string, unknown>; credentials: Record<string, unknown> } | { ok: false; issues: { path: (string | number)[]; message: string }[] };

/** A type's config and credentials checked by its module's schemas (defaults filled in). */
export function validateSourceSettings(type: string, config: unknown, credentials: unknown): SettingsResult {
  const module = sourceModule(type);
  const c = module.configSchema.safeParse(config ?? {});
  const k = module.credentialsSchema.safeParse(credentials ?? {});
  const issues = [
    ...(c.success ? [] : c.error.issues.map((i) => ({ path: ['config', ...i.path.map((p) => (typeof p === 'symbol' ? String(p) : p))], message: i.message }))),
    ...(k.success
      ? []
      : k.error.issues.map((i) => ({ path: ['credentials', ...i.path.map((p) => (typeof p === 'symbol' ? String(p) : p))], message: i.message }))),
  ];
  if (issues.length || !c.success || !k.success) return { ok: false, issues };
  return { ok: true, config: c.data as Record<string, unknown>, credentials: k.data as Record<string, unknown> };
}
