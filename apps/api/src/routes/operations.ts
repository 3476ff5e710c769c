import { findOperation, operationView } from '@crm-push/delivery';
import { Router } from 'express';
import { ApiError } from '../http/api-error';
import { accountIdOf } from '../http/auth';
import type { ApiDeps } from './context';

export function operationsRouter(deps: ApiDeps): Router {
  const router = Router();
  router.get('/v1/operations/:id', async (req, res) => {
    const op = await findOperation(deps, accountIdOf(res), req.params.id);
    if (!op) throw ApiError.notFound('operation');
    res.json(operationView(op));
  });
  return router;
}
