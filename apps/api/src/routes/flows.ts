import { Prisma } from '@crm-push/db';
import { actionsView, sealActions, storedActions } from '@crm-push/delivery';
import { flowInputSchema, flowPatchSchema } from '@crm-push/flows';
import { Router } from 'express';
import { ApiError } from '../http/api-error';
import { accountIdOf } from '../http/auth';
import { parse } from '../http/validate';
import type { ApiDeps } from './context';
import { checkActions, refuseEchoedSecrets } from './flow-input';

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
export function flowsRouter(deps: ApiDeps): Router {
  const router = Router();
  const { db, secrets } = deps;

  const findOwn = async (accountId: string, id: string) => {
    const found = await db.flow.findFirst({ where: { id, accountId } });
    if (!found) throw ApiError.notFound('flow');
    return found;
  };

  router.post('/v1/flows', async (req, res) => {
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
  });

  router.get('/v1/flows', async (_req, res) => {
    const items = await db.flow.findMany({ where: { accountId: accountIdOf(res) }, orderBy: { id: 'asc' } });
    res.json({ items: items.map(flowView) });
  });

  router.get('/v1/flows/:id', async (req, res) => {
    res.json(flowView(await findOwn(accountIdOf(res), req.params.id)));
  });

  router.patch('/v1/flows/:id', async (req, res) => {
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
  });

  router.delete('/v1/flows/:id', async (req, res) => {
    const { count } = await db.flow.deleteMany({ where: { id: req.params.id, accountId: accountIdOf(res) } });
    if (!count) throw ApiError.notFound('flow');
    res.status(204).end();
  });

  return router;
}
