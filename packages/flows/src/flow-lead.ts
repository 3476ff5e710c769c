/** What flows see of a lead: conditions test it, templates render it, webhooks send it. */
export interface FlowLead {
  id: string;
  source?: string | null;
  externalId?: string | null;
  data: Record<string, unknown>;
  createdAt: Date | string;
}

/** The roots a condition's `field` may start with; only `data` has anything below it. */
export const LEAD_FIELDS = ['data', 'source', 'externalId', 'id', 'createdAt'] as const;

/**
 * The lead as plain JSON, with createdAt as ISO-8601 UTC: the webhook body, and the context
 * templates render against (`{{data.email}}`, `{{source}}`), so both read the same names.
 */
export function leadPayload(lead: FlowLead): {
  id: string;
  source: string | null;
  externalId: string | null;
  data: Record<string, unknown>;
  createdAt: string;
} {
  return {
    id: lead.id,
    source: lead.source ?? null,
    externalId: lead.externalId ?? null,
    data: lead.data,
    createdAt: isoDate(lead.createdAt),
  };
}

/** Invalid dates pass through as text rather than throwing: a payload is still worth sending. */
function isoDate(value: Date | string): string {
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? String(value) : date.toISOString();
}

/**
 * Reads a dot path ("data.address.city", "data.tags.0", "source") from the lead, or undefined.
 * Only own properties are followed, so "data.constructor" or "data.__proto__" find nothing.
 */
export function readField(lead: FlowLead, path: string): unknown {
  let current: unknown = leadPayload(lead);
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
