import { createIngester, eraseLeads, findLead, leadInclude, leadView, PushError, pushLead, startPushPending } from '@crm-push/delivery';
import { z } from 'zod';
import { ApiError } from '../http/api-error';
import { accountIdOf } from '../http/auth';
import { page, pageQuerySchema } from '../http/pagination';
import { json, routerOf, type RouteHandler, type RouteTable } from '../http/route';
import { parse } from '../http/validate';
import * as out from '../openapi/response-schemas';
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

export const LEAD_ROUTES = {
  ingest: {
    method: 'post',
    path: '/v1/leads',
    tag: 'Leads',
    summary: 'Ingest a lead',
    description:
      'The lead is stored before the answer; one delivery per destination it is routed to. Repeating a request with the same `Idempotency-Key` (or `source` + `externalId`) answers 200 with the same lead and creates nothing.',
    auth: 'apiKey',
    headers: { 'Idempotency-Key': idempotencyKeySchema },
    body: leadInputSchema,
    responses: {
      202: json('Accepted: stored, deliveries queued.', out.leadAcceptedSchema),
      200: json('A repeat of an earlier request: the same lead, nothing created.', out.leadAcceptedSchema),
    },
  },
  pushPending: {
    method: 'post',
    path: '/v1/leads/push-pending',
    tag: 'Leads',
    summary: 'Push every unsynced lead',
    description:
      'Every `pending` or `failed` lead goes to every connected destination it has not yet succeeded at, as a background operation (one per account at a time).',
    auth: 'apiKey',
    responses: { 202: json('The operation and what it will push.', out.pushPendingResultSchema) },
  },
  seedPushPending: {
    method: 'post',
    path: '/crm/push-pending',
    tag: 'Seed-compatible',
    summary: 'Push every unsynced lead (= POST /v1/leads/push-pending)',
    auth: 'apiKey',
    responses: { 202: json('What was queued.', out.pushPendingResultSchema) },
  },
  push: {
    method: 'post',
    path: '/v1/leads/:id/push',
    tag: 'Leads',
    summary: 'Push one lead now',
    description: 'To all its destinations, or the ones named (creating a delivery where none exists).',
    auth: 'apiKey',
    body: pushSchema,
    responses: { 202: json("The lead's deliveries to those destinations.", out.pushResultSchema) },
    errors: [409],
  },
  seedPush: {
    method: 'post',
    path: '/crm/push/:leadId',
    tag: 'Seed-compatible',
    summary: 'Push one lead now (= POST /v1/leads/{id}/push)',
    auth: 'apiKey',
    body: pushSchema.optional(),
    responses: { 202: json("The lead's deliveries.", out.pushResultSchema) },
    errors: [409],
  },
  list: {
    method: 'get',
    path: '/v1/leads',
    tag: 'Leads',
    summary: 'List leads, newest first',
    auth: 'apiKey',
    query: listQuerySchema,
    responses: { 200: json('A page of leads; pass `nextCursor` as `cursor` for the next.', out.leadPageSchema) },
  },
  get: {
    method: 'get',
    path: '/v1/leads/:id',
    tag: 'Leads',
    summary: 'Get a lead with its per-destination status',
    auth: 'apiKey',
    responses: { 200: json('The lead and its deliveries.', out.leadSchema) },
  },
  erase: {
    method: 'delete',
    path: '/v1/leads/:id',
    tag: 'Leads',
    summary: 'Erase a lead (right to erasure)',
    description:
      'Its data, its deliveries with their attempt log, and its jobs are removed; an anonymous tombstone (id, account, times, and the producer\'s Idempotency-Key or source + externalId) stays, so a repeated ingest answers 200 with `status: "erased"` instead of storing it again. 204 again for an erased lead. `LEAD_RETENTION_DAYS` erases old leads the same way, daily.',
    auth: 'apiKey',
    responses: { 204: { description: 'Erased.' } },
  },
} satisfies RouteTable;

/** A refused push in docs/api.md's terms: another account's lead or destination is simply not found. */
function pushApiError(err: unknown): unknown {
  if (!(err instanceof PushError)) return err;
  if (err.reason === 'destination-disabled') return new ApiError(409, 'DESTINATION_DISABLED', err.message);
  return new ApiError(404, 'NOT_FOUND', err.message);
}

export function leadsRouter(deps: ApiDeps) {
  const { db } = deps;
  // Concurrent requests share its routing read, insert statement and enqueue.
  const ingest = createIngester(deps);

  // Counts and starts (or finds the running) background operation; GET /v1/operations/:id follows it.
  const pushPending: RouteHandler = async (_req, res) => {
    const op = await startPushPending(deps, accountIdOf(res));
    res.status(202).json({ operationId: op.id, leads: op.leads, deliveries: op.deliveries });
  };

  /** The lead's id is `:id` in /v1, `:leadId` in the seed's path. */
  const push =
    (param: string): RouteHandler =>
    async (req, res) => {
      const { destinationIds } = parse(pushSchema, req.body ?? {});
      try {
        res.status(202).json(await pushLead(deps, accountIdOf(res), String(req.params[param]), destinationIds));
      } catch (err) {
        throw pushApiError(err);
      }
    };

  return routerOf(LEAD_ROUTES, {
    ingest: async (req, res) => {
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
    },

    pushPending,
    seedPushPending: pushPending,
    push: push('id'),
    seedPush: push('leadId'),

    list: async (req, res) => {
      const q = parse(listQuerySchema, req.query, 'query');
      const rows = await db.lead.findMany({
        where: { accountId: accountIdOf(res), status: q.status, erasedAt: null, id: q.cursor ? { lt: q.cursor } : undefined },
        include: leadInclude,
        orderBy: { id: 'desc' },
        take: q.limit + 1,
      });
      const { items, nextCursor } = page(rows, q.limit);
      res.json({ items: items.map(leadView), nextCursor });
    },

    get: async (req, res) => {
      const lead = await findLead(db, accountIdOf(res), req.params.id);
      if (!lead) throw ApiError.notFound('lead');
      res.json(leadView(lead));
    },

    // Right to erasure: 204 also for a lead already erased, so a retried DELETE is safe.
    erase: async (req, res) => {
      const accountId = accountIdOf(res);
      const erased = await eraseLeads(deps, { accountId, leadIds: [req.params.id] });
      if (!erased.length && !(await isErased(db, accountId, req.params.id))) throw ApiError.notFound('lead');
      res.status(204).end();
    },
  });
}

async function isErased(db: ApiDeps['db'], accountId: string, id: string): Promise<boolean> {
  const row = await db.lead.findFirst({ where: { id, accountId }, select: { erasedAt: true } });
  return row?.erasedAt != null;
}
