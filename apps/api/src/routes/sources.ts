import { Prisma } from '@crm-push/db';
import { createSourceSchema, newIngestToken, patchSourceSchema, sourceEventView, sourceView, validateSourceSettings } from '@crm-push/sources';
import { Router } from 'express';
import { ApiError } from '../http/api-error';
import { accountIdOf } from '../http/auth';
import { page, pageQuerySchema } from '../http/pagination';
import { invalid, parse, toFieldIssues } from '../http/validate';
import type { ApiDeps } from './context';

export const sourceEventsQuerySchema = pageQuerySchema;

function settingsOrThrow(type: string, config: unknown, credentials: unknown) {
  const result = validateSourceSettings(type, config, credentials);
  if (!result.ok) throw invalid(toFieldIssues(result.issues as never));
  return result;
}

/** /v1/sources: where an account's leads come from, each with its own ingest URL. */
export function sourcesRouter(deps: ApiDeps): Router {
  const router = Router();
  const { db, secrets } = deps;
  const view = (s: Parameters<typeof sourceView>[0]) => sourceView(s, secrets, deps.config.PUBLIC_URL);

  const findOwn = async (accountId: string, id: string) => {
    const found = await db.source.findFirst({ where: { id, accountId } });
    if (!found) throw ApiError.notFound('source');
    return found;
  };

  router.post('/v1/sources', async (req, res) => {
    const input = parse(createSourceSchema, req.body);
    const settings = settingsOrThrow(input.type, input.config, input.credentials);
    const { token, hash } = newIngestToken();
    const created = await db.source.create({
      data: {
        accountId: accountIdOf(res),
        name: input.name,
        type: input.type,
        enabled: input.enabled,
        config: settings.config as Prisma.InputJsonObject,
        credentials: Object.keys(settings.credentials).length ? secrets.seal(settings.credentials) : null,
        tokenHash: hash,
        tokenSealed: secrets.seal(token),
      },
    });
    res.status(201).json(view(created));
  });

  router.get('/v1/sources', async (_req, res) => {
    const items = await db.source.findMany({ where: { accountId: accountIdOf(res) }, orderBy: { id: 'asc' } });
    res.json({ items: items.map(view) });
  });

  router.get('/v1/sources/:id', async (req, res) => {
    res.json(view(await findOwn(accountIdOf(res), req.params.id)));
  });

  router.patch('/v1/sources/:id', async (req, res) => {
    const patch = parse(patchSourceSchema, req.body);
    const current = await findOwn(accountIdOf(res), req.params.id);
    const credentials = patch.credentials ?? (current.credentials ? secrets.open(current.credentials) : undefined);
    const settings = settingsOrThrow(current.type, patch.config ?? current.config, credentials);
    const updated = await db.source.update({
      where: { id: current.id },
      data: {
        name: patch.name,
        enabled: patch.enabled,
        config: settings.config as Prisma.InputJsonObject,
        credentials: patch.credentials ? secrets.seal(settings.credentials) : undefined,
      },
    });
    res.json(view(updated));
  });

  router.delete('/v1/sources/:id', async (req, res) => {
    const current = await findOwn(accountIdOf(res), req.params.id);
    // Its leads stay (their `source` keeps the id); its events go with it.
    await db.source.delete({ where: { id: current.id } });
    res.status(204).end();
  });

  // A new token: the old URL stops working with this write (every call looks its token up).
  router.post('/v1/sources/:id/rotate', async (req, res) => {
    const current = await findOwn(accountIdOf(res), req.params.id);
    const { token, hash } = newIngestToken();
    const updated = await db.source.update({ where: { id: current.id }, data: { tokenHash: hash, tokenSealed: secrets.seal(token) } });
    res.json(view(updated));
  });

  router.get('/v1/sources/:id/events', async (req, res) => {
    const q = parse(sourceEventsQuerySchema, req.query, 'query');
    const source = await findOwn(accountIdOf(res), req.params.id);
    const rows = await db.sourceEvent.findMany({
      where: { sourceId: source.id, id: q.cursor ? { lt: q.cursor } : undefined },
      orderBy: { id: 'desc' },
      take: q.limit + 1,
    });
    const { items, nextCursor } = page(rows, q.limit);
    res.json({ items: items.map(sourceEventView), nextCursor });
  });

  return router;
}
