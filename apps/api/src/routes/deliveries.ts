import { deliveryView } from '@crm-push/delivery';
import { Router } from 'express';
import { ApiError } from '../http/api-error';
import { accountIdOf } from '../http/auth';
import type { ApiDeps } from './context';

export function deliveriesRouter(deps: ApiDeps): Router {
  const router = Router();
  const { db } = deps;

  router.get('/v1/deliveries/:id', async (req, res) => {
    const delivery = await db.delivery.findFirst({
      where: { id: req.params.id, accountId: accountIdOf(res) },
      include: { destination: { select: { type: true } }, attemptLog: { orderBy: { startedAt: 'asc' } } },
    });
    if (!delivery) throw ApiError.notFound('delivery');
    res.json({
      ...deliveryView(delivery),
      leadId: delivery.leadId,
      attemptLog: delivery.attemptLog.map((a) => ({
        at: a.startedAt.toISOString(),
        durationMs: a.durationMs,
        statusCode: a.statusCode,
        error: a.errorCode ? { code: a.errorCode, message: a.errorMessage ?? '', retryable: a.retryable } : null,
        meta: a.meta,
      })),
    });
  });

  return router;
}
