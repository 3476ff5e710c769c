import type { NormalisedLead } from '../normalise';
import type { IntakeDeps } from './intake-deps';
import type { SourceRow } from './source-store';

export interface StoredLead {
  created: boolean;
  leadId: string;
  deliveries?: { id: string; destinationId: string | null; status: 'queued' }[];
}

/**
 * Stores normalised leads through the one lead ingest (routing, deliveries, enqueue): `source`
 * is the source's id and `externalId` the platform's lead id, so the unique index dedupes a
 * lead however often it arrives. A test lead is pushed only when the source's config says so.
 */
export async function storeLeads(deps: IntakeDeps, source: SourceRow, leads: NormalisedLead[]): Promise<StoredLead[]> {
  const pushTestLeads = (source.config as { pushTestLeads?: boolean }).pushTestLeads === true;
  return Promise.all(
    leads.map(({ test, ...data }) =>
      deps.ingest(source.accountId, {
        data: data as unknown as Record<string, unknown>,
        source: source.id,
        externalId: data.providerLeadId,
        test: test === true,
        push: test !== true || pushTestLeads,
      }),
    ),
  );
}
