import type { Prisma } from '@crm-push/db';

export type LeadStatus = 'pending' | 'synced' | 'failed';
export type DeliveryStatus = 'queued' | 'retrying' | 'succeeded' | 'failed';

/**
 * docs/api.md's rule: `synced` once any CRM delivery succeeded; `failed` when every CRM delivery
 * failed; otherwise (also with no delivery at all) `pending`. Flow actions do not count.
 */
export function leadStatusOf(crmDeliveryStatuses: DeliveryStatus[]): LeadStatus {
  if (crmDeliveryStatuses.includes('succeeded')) return 'synced';
  if (crmDeliveryStatuses.length > 0 && crmDeliveryStatuses.every((s) => s === 'failed')) return 'failed';
  return 'pending';
}

/**
 * Recomputes a lead's status inside a transaction. The lead row is locked first, so two
 * deliveries of one lead finishing at once are serialised and the second sees the first.
 */
export async function refreshLeadStatus(tx: Prisma.TransactionClient, leadId: string): Promise<LeadStatus> {
  await tx.$queryRaw`SELECT id FROM leads WHERE id = ${leadId} FOR UPDATE`;
  const rows = await tx.delivery.findMany({ where: { leadId, kind: 'crm' }, select: { status: true } });
  const status = leadStatusOf(rows.map((r) => r.status as DeliveryStatus));
  // An erased lead keeps its `erased` status.
  await tx.lead.updateMany({ where: { id: leadId, erasedAt: null }, data: { status } });
  return status;
}
