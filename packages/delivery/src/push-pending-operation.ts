import { Prisma, type OperationModel as Operation } from '@crm-push/db';
import type { DeliveryDeps } from './deps';
import { BULK_GATHER_MS, stillGathering } from './bulk-backlog';
import { BULK_DESTINATION_TYPES } from './bulk-call';
import { pushPendingPage, routedDestinations } from './push-controls';

/**
 * POST /v1/leads/push-pending as a background operation. The request only counts what it will
 * push and records an `operations` row; the maintenance queue then works through the account's
 * unsynced leads a step at a time. A step is a few pages and ends by enqueueing the next, so a
 * million-lead account never holds the maintenance worker (and the sweep behind it) for long,
 * and two accounts' operations take turns. PostgreSQL holds the cursor: a lost job is found by
 * the sweep (`resumeStalledOperations`) and the operation continues where it stopped.
 */
const PAGES_PER_STEP = 10;
/** A running operation untouched for this long has lost its job. */
const STALLED_AFTER_MS = 60_000;

export interface OperationView {
  id: string;
  type: string;
  status: string;
  leads: number;
  deliveries: number;
  progress: { leads: number; deliveries: number };
  startedAt: string;
  finishedAt: string | null;
  error: { message: string } | null;
}

export function operationView(op: Operation): OperationView {
  return {
    id: op.id,
    type: op.type,
    status: op.status,
    leads: op.leads,
    deliveries: op.deliveries,
    progress: { leads: op.progressLeads, deliveries: op.progressDeliveries },
    startedAt: op.startedAt.toISOString(),
    finishedAt: op.finishedAt?.toISOString() ?? null,
    error: op.errorMessage ? { message: op.errorMessage } : null,
  };
}

/**
 * Starts the account's push-pending, or answers the one already running (one per account: the
 * partial unique index makes two concurrent requests agree on one).
 */
export async function startPushPending(deps: DeliveryDeps, accountId: string): Promise<Operation> {
  const running = await runningOperation(deps, accountId);
  if (running) return running;
  const { leads, deliveries } = await countPending(deps, accountId);
  let op: Operation;
  try {
    op = await deps.db.operation.create({ data: { accountId, type: 'push-pending', leads, deliveries } });
  } catch (err) {
    if (!(err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002')) throw err;
    const winner = await runningOperation(deps, accountId);
    if (!winner) throw err;
    return winner;
  }
  await enqueueStep(deps, op);
  return op;
}

export async function findOperation(deps: Pick<DeliveryDeps, 'db'>, accountId: string, id: string): Promise<Operation | null> {
  return deps.db.operation.findFirst({ where: { id, accountId } });
}

/** One step of a running operation: a few pages, their progress recorded page by page. */
export async function runPushPendingStep(deps: DeliveryDeps, operationId: string): Promise<{ status: string }> {
  let op = await deps.db.operation.findUnique({ where: { id: operationId } });
  if (!op || op.status !== 'running') return { status: op?.status ?? 'missing' };
  const routed = await routedDestinations(deps, op.accountId);
  const bulkDestinations = await bulkCapable(deps, routed);
  for (let i = 0; i < PAGES_PER_STEP; i++) {
    // While a Bulk-sized share is still to come, new deliveries to a Bulk-capable CRM wait for it (bulk-backlog.ts).
    const gather = { destinationIds: stillGathering(op) ? bulkDestinations : new Set<string>(), delayMs: BULK_GATHER_MS };
    const page = await pushPendingPage(deps, op.accountId, routed, op.cursor ?? undefined, gather);
    op = await deps.db.operation.update({
      where: { id: op.id },
      data: {
        cursor: page.cursor ?? null,
        progressLeads: { increment: page.leads },
        progressDeliveries: { increment: page.deliveries },
        ...(page.done ? { status: 'done', finishedAt: new Date() } : {}),
      },
    });
    if (page.done) {
      deps.logger.info({ operationId: op.id, leads: op.progressLeads, deliveries: op.progressDeliveries }, 'push-pending done');
      return { status: 'done' };
    }
  }
  await enqueueStep(deps, op);
  return { status: 'running' };
}

/** The step's retries are spent: the operation ends `failed`, saying why. */
export async function failOperation(deps: Pick<DeliveryDeps, 'db'>, operationId: string, error: Error): Promise<void> {
  await deps.db.operation.updateMany({
    where: { id: operationId, status: 'running' },
    data: { status: 'failed', errorMessage: error.message.slice(0, 500), finishedAt: new Date() },
  });
}

/** Called by the sweep: running operations whose job Redis lost get it back. */
export async function resumeStalledOperations(deps: DeliveryDeps, now = new Date()): Promise<number> {
  const stalled = await deps.db.operation.findMany({
    where: { status: 'running', updatedAt: { lt: new Date(now.getTime() - STALLED_AFTER_MS) } },
    take: 100,
  });
  for (const op of stalled) await enqueueStep(deps, op);
  return stalled.length;
}

async function bulkCapable(deps: DeliveryDeps, destinationIds: string[]): Promise<Set<string>> {
  const rows = await deps.db.destination.findMany({ where: { id: { in: destinationIds }, type: { in: [...BULK_DESTINATION_TYPES] } }, select: { id: true } });
  return new Set(rows.map((d) => d.id));
}

function runningOperation(deps: DeliveryDeps, accountId: string): Promise<Operation | null> {
  return deps.db.operation.findFirst({ where: { accountId, type: 'push-pending', status: 'running' } });
}

/**
 * The step's job id names the operation and its cursor: re-adding the same step (the sweep
 * resuming an operation whose job is only slow) is a no-op, and each new step is a new job.
 * Redis being down leaves the operation to the sweep.
 */
async function enqueueStep(deps: DeliveryDeps, op: Operation): Promise<void> {
  try {
    await deps.queues.add(
      'push-pending',
      { operationId: op.id },
      {
        jobId: `op-${op.id}-${op.cursor ?? 'start'}`,
        attempts: 3,
        backoff: { type: 'exponential', delay: 1000 },
        // The operation row holds the progress; a finished step job has nothing left to say.
        removeOnComplete: true,
        removeOnFail: true,
      },
    );
  } catch (err) {
    deps.logger.warn({ operationId: op.id, err: (err as Error).message }, 'could not enqueue push-pending; the sweep will resume it');
  }
}

/** What push-pending will push, counted in one statement before it starts. */
async function countPending(deps: DeliveryDeps, accountId: string): Promise<{ leads: number; deliveries: number }> {
  const [row] = await deps.db.$queryRaw<{ leads: bigint; deliveries: bigint }[]>`
    WITH unsynced AS (
      SELECT id FROM leads WHERE account_id = ${accountId} AND status IN ('pending', 'failed') AND NOT test
    ), usable AS (
      SELECT id, routing FROM destinations WHERE account_id = ${accountId} AND enabled AND deleted_at IS NULL
    )
    SELECT
      (SELECT count(*) FROM unsynced) AS leads,
      (SELECT count(*) FROM deliveries d JOIN unsynced u ON u.id = d.lead_id JOIN usable x ON x.id = d.destination_id
        WHERE d.kind = 'crm' AND d.status <> 'succeeded')
      + (SELECT count(*) FROM unsynced u CROSS JOIN usable x
        WHERE x.routing = 'all' AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.lead_id = u.id AND d.destination_id = x.id)) AS deliveries`;
  return { leads: Number(row.leads), deliveries: Number(row.deliveries) };
}
