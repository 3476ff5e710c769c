/** What field mapping (and flow templates) need of a lead. */
export interface MappingInput {
  id: string;
  data: Record<string, unknown>;
  source?: string | null;
  externalId?: string | null;
  createdAt?: Date;
}

/** Lead fields outside `data` a FieldRule can name with a leading `$`, e.g. `"$source"`. */
export const LEAD_FIELDS = ['id', 'source', 'externalId', 'createdAt'] as const;
export type LeadField = (typeof LEAD_FIELDS)[number];

/** The scope templates render over: `{{data.email}}`, `{{source}}`, `{{createdAt | date: "%Y"}}`. */
export function leadTemplateContext(lead: MappingInput): {
  data: Record<string, unknown>;
  id: string;
  source: string | null;
  externalId: string | null;
  createdAt: string | null;
} {
  return {
    data: lead.data,
    id: lead.id,
    source: lead.source ?? null,
    externalId: lead.externalId ?? null,
    // An ISO string renders readably as is and still works with liquid's `date` filter.
    createdAt: lead.createdAt ? lead.createdAt.toISOString() : null,
  };
}
