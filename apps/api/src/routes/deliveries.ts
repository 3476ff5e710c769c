import { deliveryView, requeueDeliveries } from '@crm-push/delivery';
import { z } from 'zod';
import { ApiError } from '../http/api-error';
import { accountIdOf } from '../http/auth';
import { page, pageQuerySchema } from '../http/pagination';
import { json, routerOf, type RouteTable } from '../http/route';
import { parse } from '../http/validate';
import * as out from '../openapi/response-schemas';
import type { ApiDeps } from './context';

export const listQuerySchema = pageQuerySchema.extend({
  status: z.enum(['queued', 'retrying', 'succeeded', 'failed']).optional(),
  destinationId: z.string().min(1).max(100).optional(),
});

export const DELIVERY_ROUTES = {
  list: {
    method: 'get',
    path: '/v1/deliveries',
    tag: 'Deliveries',
    summary: 'List deliveries, newest first',
    auth: 'apiKey',
    query: listQuerySchema,
    responses: { 200: json('A page of deliveries.', out.deliveryPageSchema) },
  },
  retry: {
    method: 'post',
    path: '/v1/deliveries/:id/retry',
    tag: 'Deliveries',
    summary: 'Retry a delivery now',
    description: 'A fresh round of attempts; 409 when it already succeeded.',
    auth: 'apiKey',
    responses: { 202: json('The delivery, queued again.', out.deliveryOfLeadSchema) },
    errors: [409],
  },
  get: {
    method: 'get',
    path: '/v1/deliveries/:id',
    tag: 'Deliveries',
    summary: 'Get a delivery with its attempt log',
    auth: 'apiKey',
    responses: { 200: json('The delivery and one entry per call made.', out.deliveryDetailSchema) },
  },
} satisfies RouteTable;

const withDestinationType = { destination: { select: { type: true } } } as const;

/** A delivery as the deliveries routes show it: with its lead, which the lead's own view leaves implied. */
const view = (d: Parameters<typeof deliveryView>[0] & { leadId: string }) => ({ ...deliveryView(d), leadId: d.leadId });

export function deliveriesRouter(deps: ApiDeps) {
  const { db } = deps;

  return routerOf(DELIVERY_ROUTES, {
    // CRM deliveries and flow actions alike, newest first; filtering by destination leaves only CRM ones.
    list: async (req, res) => {
      const q = parse(listQuerySchema, req.query, 'query');
      const rows = await db.delivery.findMany({
        where: { accountId: accountIdOf(res), status: q.status, destinationId: q.destinationId, id: q.cursor ? { lt: q.cursor } : undefined },
        include: withDestinationType,
        orderBy: { id: 'desc' },
        take: q.limit + 1,
      });
      const { items, nextCursor } = page(rows, q.limit);
      res.json({ items: items.map(view), nextCursor });
    },

    // A fresh round of attempts now; attempts keep counting and the sweep budget starts over.
    retry: async (req, res) => {
      const accountId = accountIdOf(res);
      const find = () => db.delivery.findFirst({ where: { id: req.params.id, accountId }, include: withDestinationType });
      const before = await find();
      if (!before) throw ApiError.notFound('delivery');
      if (before.status !== 'succeeded') await requeueDeliveries(deps, { accountId, ids: [before.id] }, { reason: 'manual' });
      const after = await find();
      if (!after) throw ApiError.notFound('delivery');
      if (after.status === 'succeeded') throw new ApiError(409, 'ALREADY_SUCCEEDED', 'this delivery already succeeded; it is not pushed again');
      res.status(202).json(view(after));
    },

    get: async (req, res) => {
      const delivery = await db.delivery.findFirst({
        where: { id: req.params.id, accountId: accountIdOf(res) },
        include: { ...withDestinationType, attemptLog: { orderBy: { startedAt: 'asc' } } },
      });
      if (!delivery) throw ApiError.notFound('delivery');
      res.json({
        ...view(delivery),
        attemptLog: delivery.attemptLog.map((a) => ({
          at: a.startedAt.toISOString(),
          durationMs: a.durationMs,
          statusCode: a.statusCode,
          error: a.errorCode ? { code: a.errorCode, message: a.errorMessage ?? '', retryable: a.retryable } : null,
          meta: a.meta,
        })),
      });
    },
  });
}
