import { findOperation, operationView } from '@crm-push/delivery';
import { ApiError } from '../http/api-error';
import { accountIdOf } from '../http/auth';
import { json, routerOf, type RouteTable } from '../http/route';
import { operationSchema } from '../openapi/response-schemas';
import type { ApiDeps } from './context';

export const OPERATION_ROUTES = {
  get: {
    method: 'get',
    path: '/v1/operations/:id',
    tag: 'Leads',
    summary: 'Follow a background operation',
    auth: 'apiKey',
    responses: { 200: json('Its status and progress.', operationSchema) },
  },
} satisfies RouteTable;

export function operationsRouter(deps: ApiDeps) {
  return routerOf(OPERATION_ROUTES, {
    get: async (req, res) => {
      const op = await findOperation(deps, accountIdOf(res), req.params.id);
      if (!op) throw ApiError.notFound('operation');
      res.json(operationView(op));
    },
  });
}
