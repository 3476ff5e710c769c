import { Prisma } from '@crm-push/db';
import { actionsView, sealActions, storedActions } from '@crm-push/delivery';
import { flowInputSchema, flowPatchSchema } from '@crm-push/flows';
import { ApiError } from '../http/api-error';
import { accountIdOf } from '../http/auth';
import { json, routerOf, type RouteTable } from '../http/route';
import { parse } from '../http/validate';
import * as out from '../openapi/response-schemas';
import { accountRows } from './account-rows';
import type { ApiDeps } from './context';
import { checkActions, refuseEchoedSecrets } from './flow-input';

export const FLOW_ROUTES = {
  create: {
    method: 'post',
    path: '/v1/flows',
    tag: 'Flows',
    summary: 'Create a flow',
    description: 'When a new lead matches `when`, every action runs as its own job with the delivery retry policy.',
    auth: 'apiKey',
    body: flowInputSchema,
    responses: { 201: json('The flow; signing secrets become `hasSigningSecret`.', out.flowSchema) },
  },
  list: {
    method: 'get',
    path: '/v1/flows',
    tag: 'Flows',
    summary: "List the account's flows",
    auth: 'apiKey',
    responses: { 200: json('Every flow.', out.flowListSchema) },
  },
  get: {
    method: 'get',
    path: '/v1/flows/:id',
    tag: 'Flows',
    summary: 'Get a flow',
    auth: 'apiKey',
    responses: { 200: json('The flow.', out.flowSchema) },
  },
  patch: {
    method: 'patch',
    path: '/v1/flows/:id',
    tag: 'Flows',
    summary: 'Change a flow',
    auth: 'apiKey',
    body: flowPatchSchema,
    responses: { 200: json('The updated flow.', out.flowSchema) },
  },
  delete: {
    method: 'delete',
    path: '/v1/flows/:id',
    tag: 'Flows',
    summary: 'Delete a flow',
    auth: 'apiKey',
    responses: { 204: { description: 'Deleted.' } },
  },
} satisfies RouteTable;

interface FlowRow {
  id: string;
  name: string;
  enabled: boolean;
  when: unknown;
  actions: unknown;
  createdAt: Date;
  updatedAt: Date;
}

/** A flow as the API shows it: webhook signing secrets become `hasSigningSecret`. */
export function flowView(f: FlowRow) {
  return {
    id: f.id,
    name: f.name,
    enabled: f.enabled,
    when: f.when,
    actions: actionsView(storedActions(f.actions)),
    createdAt: f.createdAt.toISOString(),
    updatedAt: f.updatedAt.toISOString(),
  };
}

/**
 * /v1/flows. A PATCH with `actions` replaces the whole list, so a webhook keeps a signing secret
 * only when the PATCH sends it again (secrets are never returned, so they cannot be merged back
 * safely by position). Deleting a flow removes it; its queued actions then fail with FLOW_DELETED.
 */
export function flowsRouter(deps: ApiDeps) {
  const { db, secrets } = deps;

  const { findOwn, list, get } = accountRows('flow', db.flow, flowView);

  return routerOf(FLOW_ROUTES, {
    create: async (req, res) => {
      refuseEchoedSecrets(req.body);
      const input = parse(flowInputSchema, req.body);
      const accountId = accountIdOf(res);
      await checkActions(db, accountId, input.actions, req.body.actions, deps.network);
      const created = await db.flow.create({
        data: {
          accountId,
          name: input.name,
          enabled: input.enabled,
          when: input.when as Prisma.InputJsonObject,
          actions: sealActions(secrets, input.actions) as unknown as Prisma.InputJsonArray,
        },
      });
      res.status(201).json(flowView(created));
    },

    list,
    get,

    patch: async (req, res) => {
      refuseEchoedSecrets(req.body);
      const patch = parse(flowPatchSchema, req.body);
      const accountId = accountIdOf(res);
      const current = await findOwn(accountId, req.params.id);
      if (patch.actions) await checkActions(db, accountId, patch.actions, req.body.actions, deps.network);
      const updated = await db.flow.update({
        where: { id: current.id },
        data: {
          name: patch.name,
          enabled: patch.enabled,
          when: patch.when as Prisma.InputJsonObject | undefined,
          actions: patch.actions && (sealActions(secrets, patch.actions) as unknown as Prisma.InputJsonArray),
        },
      });
      res.json(flowView(updated));
    },

    delete: async (req, res) => {
      const { count } = await db.flow.deleteMany({ where: { id: req.params.id, accountId: accountIdOf(res) } });
      if (!count) throw ApiError.notFound('flow');
      res.status(204).end();
    },
  });
}
