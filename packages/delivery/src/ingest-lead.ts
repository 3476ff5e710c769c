import { v7 as uuidv7 } from 'uuid';
import { Prisma } from '@crm-push/db';
import type { DeliveryDeps } from './deps';
import { enqueueOrLeaveToSweep } from './leave-to-sweep';
import { planDeliveries } from './plan-deliveries';

export interface LeadInput {
  data: Record<string, unknown>;
  source?: string;
  externalId?: string;
}

export interface IngestResult {
  /** false: an earlier request with the same Idempotency-Key or source + externalId made it. */
  created: boolean;
  leadId: string;
}

/**
 * Stores a lead and its deliveries in one transaction, then enqueues one job per delivery.
 * The lead is durable before this returns; when Redis is down the jobs are left to the sweep.
 */
export async function ingestLead(deps: DeliveryDeps, accountId: string, input: LeadInput, idempotencyKey?: string): Promise<IngestResult> {
  const existing = await findExisting(deps, accountId, input, idempotencyKey);
  if (existing) return counted(deps, { created: false, leadId: existing });

  const lead = {
    id: uuidv7(),
    data: input.data,
    source: input.source ?? null,
    externalId: input.externalId ?? null,
    createdAt: new Date(),
  };
  const write = async () => {
    const planned = await planDeliveries(deps.db, accountId, lead);
    const deliveries = planned.map((p) => ({ id: uuidv7(), accountId, leadId: lead.id, ...p }));
    await deps.db.$transaction([
      deps.db.lead.create({ data: { ...lead, data: lead.data as Prisma.InputJsonObject, accountId, idempotencyKey: idempotencyKey ?? null } }),
      deps.db.delivery.createMany({ data: deliveries }),
    ]);
    return deliveries;
  };
  let deliveries;
  try {
    // A flow deleted between planning and writing breaks a foreign key: plan once more without it.
    deliveries = await write().catch((err: unknown) => {
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2003') return write();
      throw err;
    });
  } catch (err) {
    // Two identical requests raced: the unique index let one in; answer with that one.
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') {
      const winner = await findExisting(deps, accountId, input, idempotencyKey);
      if (winner) return counted(deps, { created: false, leadId: winner });
    }
    throw err;
  }
  await enqueueOrLeaveToSweep(deps, deliveries, 'new');
  return counted(deps, { created: true, leadId: lead.id });
}

function counted(deps: DeliveryDeps, result: IngestResult): IngestResult {
  deps.metrics?.leadIngested(result.created ? 'created' : 'duplicate');
  return result;
}

async function findExisting(deps: DeliveryDeps, accountId: string, input: LeadInput, idempotencyKey?: string) {
  const or: Prisma.LeadWhereInput[] = [];
  if (idempotencyKey) or.push({ idempotencyKey });
  if (input.source && input.externalId) or.push({ source: input.source, externalId: input.externalId });
  if (!or.length) return undefined;
  const found = await deps.db.lead.findFirst({ where: { accountId, OR: or }, select: { id: true } });
  return found?.id;
}
