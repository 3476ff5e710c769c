import { Prisma } from '@crm-push/db';
import { createSourceSchema, newIngestToken, patchSourceSchema, sourceEventView, sourceView, validateSourceSettings } from '@crm-push/sources';
import { accountIdOf } from '../http/auth';
import { page, pageQuerySchema } from '../http/pagination';
import { json, routerOf, type RouteTable } from '../http/route';
import { invalid, parse, toFieldIssues } from '../http/validate';
import * as out from '../openapi/response-schemas';
import { accountRows } from './account-rows';
import type { ApiDeps } from './context';

export const sourceEventsQuerySchema = pageQuerySchema;

export const SOURCE_ROUTES = {
  create: {
    method: 'post',
    path: '/v1/sources',
    tag: 'Sources',
    summary: 'Connect a lead source',
    description: 'A web form, a signed webhook, Meta Lead Ads or a Google Ads lead form; leads arrive at its `ingestUrl`.',
    auth: 'apiKey',
    body: createSourceSchema,
    responses: { 201: json('The source, with its ingest URL and without its credentials.', out.sourceSchema) },
  },
  list: {
    method: 'get',
    path: '/v1/sources',
    tag: 'Sources',
    summary: "List the account's sources",
    auth: 'apiKey',
    responses: { 200: json('Every source.', out.sourceListSchema) },
  },
  get: {
    method: 'get',
    path: '/v1/sources/:id',
    tag: 'Sources',
    summary: 'Get a source with its stats',
    auth: 'apiKey',
    responses: { 200: json('The source.', out.sourceSchema) },
  },
  patch: {
    method: 'patch',
    path: '/v1/sources/:id',
    tag: 'Sources',
    summary: 'Update a source',
    auth: 'apiKey',
    body: patchSourceSchema,
    responses: { 200: json('The source.', out.sourceSchema) },
  },
  delete: {
    method: 'delete',
    path: '/v1/sources/:id',
    tag: 'Sources',
    summary: 'Delete a source (its leads stay)',
    auth: 'apiKey',
    responses: { 204: { description: 'Deleted.' } },
  },
  rotate: {
    method: 'post',
    path: '/v1/sources/:id/rotate',
    tag: 'Sources',
    summary: 'Give a source a new ingest URL',
    description: 'The old URL answers 404 at once.',
    auth: 'apiKey',
    responses: { 200: json('The source with its new ingest URL.', out.sourceSchema) },
  },
  events: {
    method: 'get',
    path: '/v1/sources/:id/events',
    tag: 'Sources',
    summary: 'Every call a source received, newest first (kept 30 days)',
    auth: 'apiKey',
    query: sourceEventsQuerySchema,
    responses: { 200: json('A page of events.', out.sourceEventPageSchema) },
  },
} satisfies RouteTable;

function settingsOrThrow(type: string, config: unknown, credentials: unknown) {
  const result = validateSourceSettings(type, config, credentials);
  if (!result.ok) throw invalid(toFieldIssues(result.issues as never));
  return result;
}

/** /v1/sources: where an account's leads come from, each with its own ingest URL. */
export function sourcesRouter(deps: ApiDeps) {
  const { db, secrets } = deps;
  const view = (s: Parameters<typeof sourceView>[0]) => sourceView(s, secrets, deps.config.PUBLIC_URL);

  const { findOwn, list, get } = accountRows('source', db.source, view);

  return routerOf(SOURCE_ROUTES, {
    create: async (req, res) => {
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
    },

    list,
    get,

    patch: async (req, res) => {
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
    },

    delete: async (req, res) => {
      const current = await findOwn(accountIdOf(res), req.params.id);
      // Its leads stay (their `source` keeps the id); its events go with it.
      await db.source.delete({ where: { id: current.id } });
      res.status(204).end();
    },

    // A new token: the old URL stops working with this write (every call looks its token up).
    rotate: async (req, res) => {
      const current = await findOwn(accountIdOf(res), req.params.id);
      const { token, hash } = newIngestToken();
      const updated = await db.source.update({ where: { id: current.id }, data: { tokenHash: hash, tokenSealed: secrets.seal(token) } });
      res.json(view(updated));
    },

    events: async (req, res) => {
      const q = parse(sourceEventsQuerySchema, req.query, 'query');
      const source = await findOwn(accountIdOf(res), req.params.id);
      const rows = await db.sourceEvent.findMany({
        where: { sourceId: source.id, id: q.cursor ? { lt: q.cursor } : undefined },
        orderBy: { id: 'desc' },
        take: q.limit + 1,
      });
      const { items, nextCursor } = page(rows, q.limit);
      res.json({ items: items.map(sourceEventView), nextCursor });
    },
  });
}
