import { flowInputSchema, flowPatchSchema } from '@crm-push/flows';
import type { z } from 'zod';
import { createAccountSchema } from '../routes/accounts';
import { createApiKeySchema } from '../routes/api-keys';
import { pageQuerySchema } from '../http/pagination';
import { listQuerySchema as deliveryListQuerySchema } from '../routes/deliveries';
import { idempotencyKeySchema, leadInputSchema, listQuerySchema as leadListQuerySchema, pushSchema } from '../routes/leads';
import { destinationCreateBody, destinationPatchBody } from './destination-bodies';
import * as out from './response-schemas';
import { SEED_ROUTES, SOURCE_ROUTES } from './source-routes';

/** `adminPage`: the admin token as a bearer, or the session cookie a browser gets at /admin/login. */
export type Auth = 'apiKey' | 'admin' | 'adminPage' | 'none';

export interface Reply {
  description: string;
  /** A JSON body; omitted for an empty answer. */
  schema?: z.ZodType;
  /** A non-JSON body (HTML, Prometheus text). */
  contentType?: string;
}

/** One route of docs/api.md, with the zod schemas that validate its input. */
export interface ApiRoute {
  method: 'get' | 'post' | 'patch' | 'delete';
  /** Express style: /v1/leads/:id. */
  path: string;
  tag: string;
  summary: string;
  description?: string;
  auth: Auth;
  body?: z.ZodType;
  query?: z.ZodObject;
  /** Request headers, by their HTTP name. */
  headers?: Record<string, z.ZodType>;
  responses: Record<number, Reply>;
  /** Error answers beyond the ones every such route has (see build-document.ts). */
  errors?: number[];
}

const json = (description: string, schema: z.ZodType): Reply => ({ description, schema });

export const API_ROUTES: ApiRoute[] = [
  {
    method: 'post',
    path: '/v1/accounts',
    tag: 'Accounts',
    summary: 'Create an account and its API key',
    auth: 'admin',
    body: createAccountSchema,
    responses: { 201: json('The account; `apiKey` (a `full` key) is shown this once.', out.accountCreatedSchema) },
  },
  {
    method: 'post',
    path: '/v1/api-keys',
    tag: 'Accounts',
    summary: 'Create another API key for the account',
    description:
      '`scope: "ingest"` keys may only POST /v1/leads (anything else is 403 `INSUFFICIENT_SCOPE`), for web forms and other places a key can leak from.',
    auth: 'apiKey',
    body: createApiKeySchema,
    responses: { 201: json('The key; `apiKey` is shown this once.', out.apiKeyCreatedSchema) },
  },
  {
    method: 'get',
    path: '/v1/api-keys',
    tag: 'Accounts',
    summary: "List the account's API keys",
    description: 'Never the keys themselves; revoked keys are not listed.',
    auth: 'apiKey',
    responses: { 200: json('Every key that is not revoked.', out.apiKeyListSchema) },
  },
  {
    method: 'delete',
    path: '/v1/api-keys/:id',
    tag: 'Accounts',
    summary: 'Revoke an API key',
    description: "Refused at once by every api process. 409 `LAST_FULL_KEY` for the account's last full key: create another first.",
    auth: 'apiKey',
    responses: { 204: { description: 'Revoked.' } },
    errors: [409],
  },

  {
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
  {
    method: 'get',
    path: '/v1/destinations',
    tag: 'Destinations',
    summary: "List the account's destinations",
    auth: 'apiKey',
    responses: { 200: json('Every destination that is not deleted.', out.destinationListSchema) },
  },
  {
    method: 'get',
    path: '/v1/destinations/:id',
    tag: 'Destinations',
    summary: 'Get a destination',
    auth: 'apiKey',
    responses: { 200: json('The destination.', out.destinationSchema) },
  },
  {
    method: 'patch',
    path: '/v1/destinations/:id',
    tag: 'Destinations',
    summary: 'Change a destination',
    description: "Any subset of fields; `config` and `credentials` are checked against the destination's type.",
    auth: 'apiKey',
    body: destinationPatchBody,
    responses: { 200: json('The updated destination.', out.destinationSchema) },
  },
  {
    method: 'delete',
    path: '/v1/destinations/:id',
    tag: 'Destinations',
    summary: 'Delete a destination',
    description: 'New leads stop going there; its past deliveries stay visible.',
    auth: 'apiKey',
    responses: { 204: { description: 'Deleted.' } },
  },
  {
    method: 'post',
    path: '/v1/destinations/:id/pause',
    tag: 'Destinations',
    summary: 'Pause a destination',
    description: 'Its deliveries wait, `queued`, until it is resumed (`health.reason`: MANUAL).',
    auth: 'apiKey',
    responses: { 200: json('The destination, paused.', out.destinationSchema) },
  },
  {
    method: 'post',
    path: '/v1/destinations/:id/resume',
    tag: 'Destinations',
    summary: 'Resume a destination',
    description: 'Its waiting deliveries go at once.',
    auth: 'apiKey',
    responses: { 200: json('The destination, active.', out.destinationSchema) },
  },
  {
    method: 'get',
    path: '/v1/destinations/:id/events',
    tag: 'Destinations',
    summary: "A destination's health history",
    auth: 'apiKey',
    query: pageQuerySchema,
    responses: { 200: json('Each state change, newest first.', out.destinationEventPageSchema) },
  },
  {
    method: 'post',
    path: '/v1/destinations/:id/test',
    tag: 'Destinations',
    summary: 'Test the connection',
    description: 'A real, side-effect-free call proving the credentials and URL work; `ok: false` explains why not.',
    auth: 'apiKey',
    responses: { 200: json('The outcome of the test call.', out.connectionTestSchema) },
  },

  {
    method: 'post',
    path: '/v1/leads',
    tag: 'Leads',
    summary: 'Ingest a lead',
    description:
      'The lead is stored before the answer; one delivery per destination it is routed to. Repeating a request with the same `Idempotency-Key` (or `source` + `externalId`) answers 200 with the same lead and creates nothing.',
    auth: 'apiKey',
    headers: { 'Idempotency-Key': idempotencyKeySchema },
    body: leadInputSchema,
    responses: {
      202: json('Accepted: stored, deliveries queued.', out.leadAcceptedSchema),
      200: json('A repeat of an earlier request: the same lead, nothing created.', out.leadAcceptedSchema),
    },
  },
  {
    method: 'get',
    path: '/v1/leads',
    tag: 'Leads',
    summary: 'List leads, newest first',
    auth: 'apiKey',
    query: leadListQuerySchema,
    responses: { 200: json('A page of leads; pass `nextCursor` as `cursor` for the next.', out.leadPageSchema) },
  },
  {
    method: 'get',
    path: '/v1/leads/:id',
    tag: 'Leads',
    summary: 'Get a lead with its per-destination status',
    auth: 'apiKey',
    responses: { 200: json('The lead and its deliveries.', out.leadSchema) },
  },
  {
    method: 'delete',
    path: '/v1/leads/:id',
    tag: 'Leads',
    summary: 'Erase a lead (right to erasure)',
    description:
      'Its data, its deliveries with their attempt log, and its jobs are removed; an anonymous tombstone (id, account, times, and the producer\'s Idempotency-Key or source + externalId) stays, so a repeated ingest answers 200 with `status: "erased"` instead of storing it again. 204 again for an erased lead. `LEAD_RETENTION_DAYS` erases old leads the same way, daily.',
    auth: 'apiKey',
    responses: { 204: { description: 'Erased.' } },
  },
  {
    method: 'post',
    path: '/v1/leads/:id/push',
    tag: 'Leads',
    summary: 'Push one lead now',
    description: 'To all its destinations, or the ones named (creating a delivery where none exists).',
    auth: 'apiKey',
    body: pushSchema,
    responses: { 202: json("The lead's deliveries to those destinations.", out.pushResultSchema) },
    errors: [409],
  },
  {
    method: 'post',
    path: '/v1/leads/push-pending',
    tag: 'Leads',
    summary: 'Push every unsynced lead',
    description:
      'Every `pending` or `failed` lead goes to every connected destination it has not yet succeeded at, as a background operation (one per account at a time).',
    auth: 'apiKey',
    responses: { 202: json('The operation and what it will push.', out.pushPendingResultSchema) },
  },
  {
    method: 'get',
    path: '/v1/operations/:id',
    tag: 'Leads',
    summary: 'Follow a background operation',
    auth: 'apiKey',
    responses: { 200: json('Its status and progress.', out.operationSchema) },
  },

  {
    method: 'get',
    path: '/v1/deliveries',
    tag: 'Deliveries',
    summary: 'List deliveries, newest first',
    auth: 'apiKey',
    query: deliveryListQuerySchema,
    responses: { 200: json('A page of deliveries.', out.deliveryPageSchema) },
  },
  {
    method: 'get',
    path: '/v1/deliveries/:id',
    tag: 'Deliveries',
    summary: 'Get a delivery with its attempt log',
    auth: 'apiKey',
    responses: { 200: json('The delivery and one entry per call made.', out.deliveryDetailSchema) },
  },
  {
    method: 'post',
    path: '/v1/deliveries/:id/retry',
    tag: 'Deliveries',
    summary: 'Retry a delivery now',
    description: 'A fresh round of attempts; 409 when it already succeeded.',
    auth: 'apiKey',
    responses: { 202: json('The delivery, queued again.', out.deliveryOfLeadSchema) },
    errors: [409],
  },

  {
    method: 'post',
    path: '/v1/flows',
    tag: 'Flows',
    summary: 'Create a flow',
    description: 'When a new lead matches `when`, every action runs as its own job with the delivery retry policy.',
    auth: 'apiKey',
    body: flowInputSchema,
    responses: { 201: json('The flow; signing secrets become `hasSigningSecret`.', out.flowSchema) },
  },
  {
    method: 'get',
    path: '/v1/flows',
    tag: 'Flows',
    summary: "List the account's flows",
    auth: 'apiKey',
    responses: { 200: json('Every flow.', out.flowListSchema) },
  },
  {
    method: 'get',
    path: '/v1/flows/:id',
    tag: 'Flows',
    summary: 'Get a flow',
    auth: 'apiKey',
    responses: { 200: json('The flow.', out.flowSchema) },
  },
  {
    method: 'patch',
    path: '/v1/flows/:id',
    tag: 'Flows',
    summary: 'Change a flow',
    auth: 'apiKey',
    body: flowPatchSchema,
    responses: { 200: json('The updated flow.', out.flowSchema) },
  },
  {
    method: 'delete',
    path: '/v1/flows/:id',
    tag: 'Flows',
    summary: 'Delete a flow',
    auth: 'apiKey',
    responses: { 204: { description: 'Deleted.' } },
  },

  {
    method: 'get',
    path: '/health',
    tag: 'Operations',
    summary: 'Liveness: the process answers',
    auth: 'none',
    responses: { 200: json('Alive.', out.healthSchema) },
  },
  {
    method: 'get',
    path: '/ready',
    tag: 'Operations',
    summary: 'Readiness: PostgreSQL and Redis are reachable',
    auth: 'none',
    responses: {
      200: json('Both answer.', out.readinessSchema),
      503: json('One of them does not.', out.readinessSchema),
    },
  },
  {
    method: 'get',
    path: '/metrics',
    tag: 'Operations',
    summary: 'Prometheus metrics',
    auth: 'none',
    responses: { 200: { description: 'Prometheus text exposition format.', contentType: 'text/plain; version=0.0.4' } },
  },
  {
    method: 'get',
    path: '/admin',
    tag: 'Operations',
    summary: 'Admin panel (HTML)',
    description: 'For a browser: leads, failed deliveries with Retry, destinations with Test connection.',
    auth: 'adminPage',
    responses: {
      200: { description: 'The admin panel.', contentType: 'text/html' },
      303: { description: 'A browser without a session is sent to /admin/login.' },
    },
  },
  {
    method: 'get',
    path: '/admin/queues',
    tag: 'Operations',
    summary: 'Bull Board (HTML)',
    description: 'For a browser: every BullMQ queue of the system.',
    auth: 'adminPage',
    responses: { 200: { description: 'Bull Board.', contentType: 'text/html' }, 303: { description: 'A browser without a session is sent to /admin/login.' } },
  },
  ...SOURCE_ROUTES,
  ...SEED_ROUTES,
];
