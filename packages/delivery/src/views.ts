import type { Db } from '@crm-push/db';

/** The JSON shapes of docs/api.md, built from rows. */
type DeliveryRow = {
  id: string;
  kind: string;
  destinationId: string | null;
  flowId: string | null;
  actionIndex: number | null;
  status: string;
  attempts: number;
  lastStatusCode: number | null;
  lastErrorCode: string | null;
  lastErrorMessage: string | null;
  externalId: string | null;
  nextRetryAt: Date | null;
  updatedAt: Date;
  destination?: { type: string } | null;
};

export function deliveryView(d: DeliveryRow) {
  const base = {
    id: d.id,
    status: d.status,
    attempts: d.attempts,
    lastStatusCode: d.lastStatusCode,
    lastError: d.lastErrorCode ? { code: d.lastErrorCode, message: d.lastErrorMessage ?? '' } : null,
    nextRetryAt: d.nextRetryAt?.toISOString() ?? null,
    updatedAt: d.updatedAt.toISOString(),
  };
  if (d.kind === 'crm') {
    return { ...base, destinationId: d.destinationId, destinationType: d.destination?.type ?? null, externalId: d.externalId };
  }
  return { ...base, type: d.kind, flowId: d.flowId, actionIndex: d.actionIndex };
}

type LeadRow = {
  id: string;
  source: string | null;
  externalId: string | null;
  data: unknown;
  status: string;
  test?: boolean;
  createdAt: Date;
  deliveries: DeliveryRow[];
};

export function leadView(lead: LeadRow) {
  return {
    id: lead.id,
    source: lead.source,
    externalId: lead.externalId,
    data: lead.data,
    status: lead.status,
    // Only a platform's test lead says so; every other lead keeps the shape it always had.
    ...(lead.test ? { test: true } : {}),
    createdAt: lead.createdAt.toISOString(),
    deliveries: lead.deliveries.filter((d) => d.kind === 'crm').map(deliveryView),
    actions: lead.deliveries.filter((d) => d.kind !== 'crm').map(deliveryView),
  };
}

export const leadInclude = {
  deliveries: { include: { destination: { select: { type: true } } }, orderBy: { id: 'asc' } },
} as const;

/** A lead of one account, with its deliveries; undefined when it is not that account's, or erased. */
export async function findLead(db: Db, accountId: string, id: string) {
  return (await db.lead.findFirst({ where: { id, accountId, erasedAt: null }, include: leadInclude })) ?? undefined;
}
