import { requeueDeliveries, resumeDestination, testConnection, type DeliveryDeps } from '@crm-push/delivery';
import express, { Router } from 'express';
import { z } from 'zod';
import { ApiError } from '../http/api-error';
import { parse } from '../http/validate';
import { failedFilterSchema } from './failed-page';

const idParam = z.string().uuid();

/** The JSON endpoints behind the panel's buttons, mounted at /admin/api behind admin auth. */
export function panelApiRouter(deps: DeliveryDeps): Router {
  const router = Router();
  const { db } = deps;
  router.use(express.json({ limit: '16kb' }));

  router.get('/deliveries/:id', async (req, res) => {
    const id = parse(idParam, req.params.id, 'delivery id');
    const d = await db.delivery.findUnique({ where: { id }, select: { id: true, status: true, attempts: true, lastErrorCode: true, lastErrorMessage: true } });
    if (!d) throw ApiError.notFound('delivery');
    res.json({
      id: d.id,
      status: d.status,
      attempts: d.attempts,
      lastError: d.lastErrorCode ? { code: d.lastErrorCode, message: d.lastErrorMessage ?? '' } : null,
    });
  });

  router.post('/deliveries/:id/retry', async (req, res) => {
    const id = parse(idParam, req.params.id, 'delivery id');
    if (!(await db.delivery.findUnique({ where: { id }, select: { id: true } }))) throw ApiError.notFound('delivery');
    const { deliveries } = await requeueDeliveries(deps, { ids: [id] }, { reason: 'manual' });
    // Empty: it succeeded meanwhile; nothing to do.
    res.status(202).json({ deliveries });
  });

  router.post('/deliveries/retry-matching', async (req, res) => {
    const filter = parse(failedFilterSchema.strict(), req.body ?? {});
    const { deliveries } = await requeueDeliveries(deps, { ...filter, statuses: ['failed'] }, { reason: 'manual' });
    res.status(202).json({ requeued: deliveries.length });
  });

  router.post('/destinations/:id/resume', async (req, res) => {
    const id = parse(idParam, req.params.id, 'destination id');
    const destination = await db.destination.findFirst({ where: { id, deletedAt: null } });
    if (!destination) throw ApiError.notFound('destination');
    await resumeDestination(deps, id, 'resumed from the admin panel');
    res.json({ state: 'active' });
  });

  router.post('/destinations/:id/test', async (req, res) => {
    const id = parse(idParam, req.params.id, 'destination id');
    const destination = await db.destination.findFirst({ where: { id, deletedAt: null } });
    if (!destination) throw ApiError.notFound('destination');
    res.json(await testConnection(deps, destination));
  });

  return router;
}
