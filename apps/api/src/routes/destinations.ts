import { Prisma } from '@crm-push/db';
import { testConnection } from '@crm-push/delivery';
import { Router } from 'express';
import { ApiError } from '../http/api-error';
import { accountIdOf } from '../http/auth';
import { parse } from '../http/validate';
import type { ApiDeps } from './context';
import { assertDestinationReachable, createDestinationSchema, patchDestinationSchema, validateSettings } from './destination-input';
import { destinationView } from './views';

export function destinationsRouter(deps: ApiDeps): Router {
  const router = Router();
  const { db, secrets } = deps;

  const findOwn = async (accountId: string, id: string) => {
    const found = await db.destination.findFirst({ where: { id, accountId, deletedAt: null } });
    if (!found) throw ApiError.notFound('destination');
    return found;
  };

  router.post('/v1/destinations', async (req, res) => {
    const input = parse(createDestinationSchema, req.body);
    const settings = validateSettings(input.type, input);
    await assertDestinationReachable(input.type, settings, deps.network);
    const created = await db.destination.create({
      data: {
        accountId: accountIdOf(res),
        name: input.name,
        type: input.type,
        enabled: input.enabled,
        routing: input.routing,
        config: settings.config as Prisma.InputJsonObject,
        credentials: secrets.seal(settings.credentials),
        fieldMapping: settings.fieldMapping ?? Prisma.DbNull,
      },
    });
    res.status(201).json(destinationView(created));
  });

  router.get('/v1/destinations', async (_req, res) => {
    const items = await db.destination.findMany({ where: { accountId: accountIdOf(res), deletedAt: null }, orderBy: { id: 'asc' } });
    res.json({ items: items.map(destinationView) });
  });

  router.get('/v1/destinations/:id', async (req, res) => {
    res.json(destinationView(await findOwn(accountIdOf(res), req.params.id)));
  });

  router.patch('/v1/destinations/:id', async (req, res) => {
    const patch = parse(patchDestinationSchema, req.body);
    const current = await findOwn(accountIdOf(res), req.params.id);
    const settings = validateSettings(current.type, {
      config: patch.config ?? current.config,
      credentials: patch.credentials ?? (current.credentials ? secrets.open(current.credentials) : undefined),
      fieldMapping: patch.fieldMapping === undefined ? current.fieldMapping : patch.fieldMapping,
    });
    await assertDestinationReachable(current.type, settings, deps.network);
    const updated = await db.destination.update({
      where: { id: current.id },
      data: {
        name: patch.name,
        enabled: patch.enabled,
        routing: patch.routing,
        config: settings.config as Prisma.InputJsonObject,
        credentials: patch.credentials ? secrets.seal(settings.credentials) : undefined,
        fieldMapping: settings.fieldMapping ?? Prisma.DbNull,
      },
    });
    res.json(destinationView(updated));
  });

  router.delete('/v1/destinations/:id', async (req, res) => {
    const current = await findOwn(accountIdOf(res), req.params.id);
    await db.destination.update({ where: { id: current.id }, data: { deletedAt: new Date(), enabled: false } });
    res.status(204).end();
  });

  router.post('/v1/destinations/:id/test', async (req, res) => {
    const destination = await findOwn(accountIdOf(res), req.params.id);
    res.json(await testConnection(deps, destination));
  });

  return router;
}
