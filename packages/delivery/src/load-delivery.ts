import type { Db } from '@crm-push/db';

/** A delivery with everything needed to run it. */
export function loadDelivery(db: Db, id: string) {
  return db.delivery.findUnique({ where: { id }, include: { lead: true, destination: true, flow: true } });
}

export type LoadedDelivery = NonNullable<Awaited<ReturnType<typeof loadDelivery>>>;
