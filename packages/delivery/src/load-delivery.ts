import type { Db } from '@crm-push/db';

/** Deliveries with everything needed to run them, in one query (joins, not a query per relation). */
export function loadDeliveries(db: Db, ids: readonly string[]) {
  return db.delivery.findMany({ where: { id: { in: [...ids] } }, include: { lead: true, destination: true, flow: true }, relationLoadStrategy: 'join' });
}

export type LoadedDelivery = Awaited<ReturnType<typeof loadDeliveries>>[number];
