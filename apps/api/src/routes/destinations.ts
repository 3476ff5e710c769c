import { Prisma } from '@crm-push/db';
import { destinationEventView, pauseDestination, promoteWaiting, readHealthFacts, resumeDestination, testConnection } from '@crm-push/delivery';
import { page as pageOf, pageQuerySchema } from '../http/pagination';
import { ApiError } from '../http/api-error';
import { accountIdOf } from '../http/auth';
import { json, routerOf, type RouteHandler, type RouteTable } from '../http/route';
import { parse } from '../http/validate';
import { destinationCreateBody, destinationPatchBody } from '../openapi/destination-bodies';
import * as out from '../openapi/response-schemas';
import type { ApiDeps } from './context';
import { assertDestinationReachable, createDestinationSchema, patchDestinationSchema, validateSettings } from './destination-input';
import { destinationView } from './views';

/**
 * The bodies are documented with the type's own config and credentials joined in
 * (destination-bodies.ts); the handlers validate in two steps, createDestinationSchema then
 * validateSettings for the stored or named type.
 */
export const DESTINATION_ROUTES = {
  create: {
    method: 'post',
    path: '/v1/destinations',
    tag: 'Destinations',
    summary: 'Connect a CRM destination',
    description:
      '`routing: "all"` sends every new lead here; `"flows"` only the leads a flow sends. Without `fieldMapping` the type\'s default mapping applies.',
    auth: 'apiKey',
    body: destinationCreateBody,
    responses: { 201: json('The destination, without its credentials.', out.destinationSchema) },
  },
  list: {
    method: 'get',
    path: '/v1/destinations',
    tag: 'Destinations',
    summary: "List the account's destinations",
    auth: 'apiKey',
    responses: { 200: json('Every destination that is not deleted.', out.destinationListSchema) },
  },
  get: {
    method: 'get',
    path: '/v1/destinations/:id',
    tag: 'Destinations',
    summary: 'Get a destination',
    auth: 'apiKey',
    responses: { 200: json('The destination.', out.destinationSchema) },
  },
  patch: {
    method: 'patch',
    path: '/v1/destinations/:id',
    tag: 'Destinations',
    summary: 'Change a destination',
    description: "Any subset of fields; `config` and `credentials` are checked against the destination's type.",
    auth: 'apiKey',
    body: destinationPatchBody,
    responses: { 200: json('The updated destination.', out.destinationSchema) },
  },
  delete: {
    method: 'delete',
    path: '/v1/destinations/:id',
    tag: 'Destinations',
    summary: 'Delete a destination',
    description: 'New leads stop going there; its past deliveries stay visible.',
    auth: 'apiKey',
    responses: { 204: { description: 'Deleted.' } },
  },
  pause: {
    method: 'post',
    path: '/v1/destinations/:id/pause',
    tag: 'Destinations',
    summary: 'Pause a destination',
    description: 'Its deliveries wait, `queued`, until it is resumed (`health.reason`: MANUAL).',
    auth: 'apiKey',
    responses: { 200: json('The destination, paused.', out.destinationSchema) },
  },
  resume: {
    method: 'post',
    path: '/v1/destinations/:id/resume',
    tag: 'Destinations',
    summary: 'Resume a destination',
    description: 'Its waiting deliveries go at once.',
    auth: 'apiKey',
    responses: { 200: json('The destination, active.', out.destinationSchema) },
  },
  events: {
    method: 'get',
    path: '/v1/destinations/:id/events',
    tag: 'Destinations',
    summary: "A destination's health history",
    auth: 'apiKey',
    query: pageQuerySchema,
    responses: { 200: json('Each state change, newest first.', out.destinationEventPageSchema) },
  },
  test: {
    method: 'post',
    path: '/v1/destinations/:id/test',
    tag: 'Destinations',
    summary: 'Test the connection',
    description: 'A real, side-effect-free call proving the credentials and URL work; `ok: false` explains why not.',
    auth: 'apiKey',
    responses: { 200: json('The outcome of the test call.', out.connectionTestSchema) },
  },
  seedTest: {
    method: 'post',
    path: '/crm/destinations/:id/test',
    tag: 'Seed-compatible',
    summary: 'Test a destination connection (= POST /v1/destinations/{id}/test)',
    auth: 'apiKey',
    responses: { 200: json('The outcome of a real, side-effect-free call.', out.connectionTestSchema) },
  },
} satisfies RouteTable;

export function destinationsRouter(deps: ApiDeps) {
  const { db, secrets } = deps;

  const findOwn = async (accountId: string, id: string) => {
    const found = await db.destination.findFirst({ where: { id, accountId, deletedAt: null } });
    if (!found) throw ApiError.notFound('destination');
    return found;
  };
  /** Views with the live health figures (waiting deliveries, consecutive failures) of each destination. */
  const views = async (items: Parameters<typeof destinationView>[0][]) => {
    const facts = await readHealthFacts(
      db,
      deps.lanes?.redis,
      items.map((d) => d.id),
    );
    return items.map((d) => destinationView(d, facts.get(d.id)));
  };
  const viewOf = async (d: Parameters<typeof destinationView>[0]) => (await views([d]))[0];

  const test: RouteHandler = async (req, res) => {
    const destination = await findOwn(accountIdOf(res), String(req.params.id));
    res.json(await testConnection(deps, destination));
  };

  return routerOf(DESTINATION_ROUTES, {
    create: async (req, res) => {
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
          // None given (a custom endpoint without auth): none stored, and the view says so.
          credentials: input.credentials === undefined ? null : secrets.seal(settings.credentials),
          fieldMapping: settings.fieldMapping ?? Prisma.DbNull,
          limits: input.limits ?? Prisma.DbNull,
          batch: input.batch ?? Prisma.DbNull,
        },
      });
      res.status(201).json(await viewOf(created));
    },

    list: async (_req, res) => {
      const items = await db.destination.findMany({ where: { accountId: accountIdOf(res), deletedAt: null }, orderBy: { id: 'asc' } });
      res.json({ items: await views(items) });
    },

    get: async (req, res) => {
      res.json(await viewOf(await findOwn(accountIdOf(res), req.params.id)));
    },

    patch: async (req, res) => {
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
          limits: patch.limits === undefined ? undefined : (patch.limits ?? Prisma.DbNull),
          batch: patch.batch === undefined ? undefined : (patch.batch ?? Prisma.DbNull),
          // Calls in flight with the old credentials or config can no longer pause it (see Lanes.pause).
          credentialsVersion: patch.credentials || patch.config ? { increment: 1 } : undefined,
        },
      });
      // New credentials or config may be exactly what a paused destination was waiting for.
      if ((patch.credentials || patch.config) && updated.healthState !== 'active') {
        await resumeDestination(deps, updated.id, patch.credentials ? 'credentials updated' : 'config updated');
      } else if (patch.limits !== undefined) await promoteWaiting(deps, updated.id); // new limits apply to the waiting at once
      res.json(await viewOf(await findOwn(accountIdOf(res), updated.id)));
    },

    delete: async (req, res) => {
      const current = await findOwn(accountIdOf(res), req.params.id);
      await db.destination.update({ where: { id: current.id }, data: { deletedAt: new Date(), enabled: false } });
      res.status(204).end();
    },

    pause: async (req, res) => {
      const current = await findOwn(accountIdOf(res), String(req.params.id));
      await pauseDestination(deps, current.id, { reason: 'MANUAL', resumeAt: null, cooldownMs: null, message: 'paused by hand' }, [
        'active',
        'throttled',
        'paused',
      ]);
      res.json(await viewOf(await findOwn(accountIdOf(res), current.id)));
    },

    resume: async (req, res) => {
      const current = await findOwn(accountIdOf(res), String(req.params.id));
      await resumeDestination(deps, current.id, 'resumed by hand');
      res.json(await viewOf(await findOwn(accountIdOf(res), current.id)));
    },

    events: async (req, res) => {
      const current = await findOwn(accountIdOf(res), String(req.params.id));
      const page = parse(pageQuerySchema, req.query);
      const rows = await db.destinationEvent.findMany({
        where: { destinationId: current.id, ...(page.cursor ? { id: { lt: page.cursor } } : {}) },
        orderBy: { id: 'desc' },
        take: page.limit + 1,
      });
      const { items, nextCursor } = pageOf(rows, page.limit);
      res.json({ items: items.map(destinationEventView), nextCursor });
    },

    test,
    seedTest: test,
  });
}
