import type { Db } from '@crm-push/db';

export interface PlannedDelivery {
  kind: string;
  destinationId?: string;
  flowId?: string;
  actionIndex?: number;
}

export interface LeadForRouting {
  id: string;
  data: Record<string, unknown>;
  source: string | null;
  externalId: string | null;
  createdAt: Date;
}

/** Which deliveries a new lead gets: every enabled destination with routing "all". */
export async function planDeliveries(db: Db, accountId: string, _lead: LeadForRouting): Promise<PlannedDelivery[]> {
  const destinations = await db.destination.findMany({
    where: { accountId, enabled: true, deletedAt: null, routing: 'all' },
    select: { id: true },
    orderBy: { id: 'asc' },
  });
  return destinations.map((d) => ({ kind: 'crm', destinationId: d.id }));
}
