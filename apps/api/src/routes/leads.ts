import { createIngester, eraseLeads, findLead, leadInclude, leadView, PushError, pushLead, startPushPending } from '@crm-push/delivery';
import { Router } from 'express';
import { z } from 'zod';
import { ApiError } from '../http/api-error';
import { accountIdOf } from '../http/auth';
import { page, pageQuerySchema } from '../http/pagination';
import { parse } from '../http/validate';
import type { ApiDeps } from './context';

export const leadInputSchema = z
  .object({
    data: z.record(z.string(), z.unknown(), { error: 'data must be an object of lead fields' }),
    source: z.string().trim().min(1).max(200).optional(),
    externalId: z.string().trim().min(1).max(200).optional(),
  })
  .strict();

export const idempotencyKeySchema = z.string().trim().min(1).max(255).optional();
export const listQuerySchema = pageQuerySchema.extend({ status: z.enum(['pending', 'synced', 'failed']).optional() });
export const pushSchema = z.object({ destinationIds: z.array(z.string().min(1).max(100)).min(1).max(100).optional() }).strict();

/** A refused push in docs/api.md's terms: another account's lead or destination is simply not found. */
function pushApiError(err: unknown): unknown {
  if (!(err instanceof PushError)) return err;
  if (err.reason === 'destination-disabled') return new ApiError(409, 'DESTINATION_DISABLED', err.message);
  return new ApiError(404, 'NOT_FOUND', err.message);
}

export function leadsRouter(deps: ApiDeps): Router {
  const router = Router();
  const { db } = deps;
  // Concurrent requests share its routing read, insert statement and enqueue.
  const ingest = createIngester(deps);

  router.post('/v1/leads', async (req, res) => {
    const input = parse(leadInputSchema, req.body);
    const idempotencyKey = parse(idempotencyKeySchema, req.get('idempotency-key'), 'Idempotency-Key header');
    const accountId = accountIdOf(res);
    const { created, leadId, deliveries } = await ingest(accountId, input, idempotencyKey);
    // A new lead is answered from what was just written; a repeat with its current state.
    if (created) return void res.status(202).json({ id: leadId, status: 'pending', deliveries });
    const lead = await findLead(db, accountId, leadId);
    // The earlier lead was erased: its tombstone keeps the keys, so the repeat stays a repeat.
    if (!lead && (await isErased(db, accountId, leadId))) return void res.status(200).json({ id: leadId, status: 'erased', deliveries: [] });
    if (!lead) throw ApiError.notFound('lead');
    res.status(200).json({
      id: lead.id,
      status: lead.status,
      deliveries: lead.deliveries.filter((d) => d.kind === 'crm').map((d) => ({ id: d.id, destinationId: d.destinationId, status: d.status })),
    });
  });

  // Counts and starts (or finds the running) background operation; GET /v1/operations/:id follows it.
  router.post(['/v1/leads/push-pending', '/crm/push-pending'], async (_req, res) => {
    const op = await startPushPending(deps, accountIdOf(res));
    res.status(202).json({ operationId: op.id, leads: op.leads, deliveries: op.deliveries });
  });

  router.post(['/v1/leads/:id/push', '/crm/push/:id'], async (req, res) => {
    const { destinationIds } = parse(pushSchema, req.body ?? {});
    try {
      res.status(202).json(await pushLead(deps, accountIdOf(res), String(req.params.id), destinationIds));
    } catch (err) {
      throw pushApiError(err);
    }
  });

  router.get('/v1/leads', async (req, res) => {
    const q = parse(listQuerySchema, req.query, 'query');
    const rows = await db.lead.findMany({
      where: { accountId: accountIdOf(res), status: q.status, erasedAt: null, id: q.cursor ? { lt: q.cursor } : undefined },
      include: leadInclude,
      orderBy: { id: 'desc' },
      take: q.limit + 1,
    });
    const { items, nextCursor } = page(rows, q.limit);
    res.json({ items: items.map(leadView), nextCursor });
  });

  router.get('/v1/leads/:id', async (req, res) => {
    const lead = await findLead(db, accountIdOf(res), req.params.id);
    if (!lead) throw ApiError.notFound('lead');
    res.json(leadView(lead));
  });

  // Right to erasure: 204 also for a lead already erased, so a retried DELETE is safe.
  router.delete('/v1/leads/:id', async (req, res) => {
    const accountId = accountIdOf(res);
    const erased = await eraseLeads(deps, { accountId, leadIds: [req.params.id] });
    if (!erased.length && !(await isErased(db, accountId, req.params.id))) throw ApiError.notFound('lead');
    res.status(204).end();
  });

  return router;
}

async function isErased(db: ApiDeps['db'], accountId: string, id: string): Promise<boolean> {
  const row = await db.lead.findFirst({ where: { id, accountId }, select: { erasedAt: true } });
  return row?.erasedAt != null;
}
