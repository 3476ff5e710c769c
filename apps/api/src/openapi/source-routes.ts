import { createSourceSchema, patchSourceSchema, SOURCE_TYPES } from '@crm-push/sources';
import { z } from 'zod';
import { sourceEventsQuerySchema } from '../routes/sources';
import type { ApiRoute } from './route-catalog';
import { connectionTestSchema, errorEnvelopeSchema, pushPendingResultSchema, pushResultSchema } from './response-schemas';
import { pushSchema } from '../routes/leads';

const id = z.string().min(1);
const timestamp = z.iso.datetime({ offset: true });

export const sourceSchema = z.object({
  id,
  name: z.string(),
  type: z.enum(SOURCE_TYPES as [string, ...string[]]),
  enabled: z.boolean(),
  ingestUrl: z.string().describe('`/in/<token>`, absolute when PUBLIC_URL is set: no API key, the token is the key.'),
  config: z.record(z.string(), z.unknown()).describe("The type's config with its defaults filled in."),
  hasCredentials: z.boolean().describe('Credentials are never returned.'),
  stats: z.object({
    received: z.number().int().nonnegative().describe('Calls received.'),
    created: z.number().int().nonnegative().describe('Leads created.'),
    duplicates: z.number().int().nonnegative().describe('Leads that had arrived before.'),
    rejected: z.number().int().nonnegative().describe('Calls refused.'),
    lastReceivedAt: timestamp.nullable(),
    lastError: z.object({ code: z.string(), message: z.string(), at: timestamp.nullable() }).nullable(),
  }),
  createdAt: timestamp,
  updatedAt: timestamp,
});

export const sourceEventSchema = z.object({
  id,
  at: timestamp,
  outcome: z.enum(['accepted', 'duplicate', 'ignored', 'rejected', 'handshake', 'fetch_failed']),
  statusCode: z.number().int().nullable(),
  leads: z.number().int().nonnegative(),
  created: z.number().int().nonnegative(),
  duplicates: z.number().int().nonnegative(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});

const json = (description: string, schema: z.ZodType) => ({ description, schema });

/** /v1/sources and the public ingest endpoint. */
export const SOURCE_ROUTES: ApiRoute[] = [
  {
    method: 'post',
    path: '/v1/sources',
    tag: 'Sources',
    summary: 'Connect a lead source',
    description: 'A web form, a signed webhook, Meta Lead Ads or a Google Ads lead form; leads arrive at its `ingestUrl`.',
    auth: 'apiKey',
    body: createSourceSchema,
    responses: { 201: json('The source, with its ingest URL and without its credentials.', sourceSchema) },
  },
  {
    method: 'get',
    path: '/v1/sources',
    tag: 'Sources',
    summary: "List the account's sources",
    auth: 'apiKey',
    responses: { 200: json('Every source.', z.object({ items: z.array(sourceSchema) })) },
  },
  {
    method: 'get',
    path: '/v1/sources/:id',
    tag: 'Sources',
    summary: 'Get a source with its stats',
    auth: 'apiKey',
    responses: { 200: json('The source.', sourceSchema) },
  },
  {
    method: 'patch',
    path: '/v1/sources/:id',
    tag: 'Sources',
    summary: 'Update a source',
    auth: 'apiKey',
    body: patchSourceSchema,
    responses: { 200: json('The source.', sourceSchema) },
  },
  {
    method: 'delete',
    path: '/v1/sources/:id',
    tag: 'Sources',
    summary: 'Delete a source (its leads stay)',
    auth: 'apiKey',
    responses: { 204: { description: 'Deleted.' } },
  },
  {
    method: 'post',
    path: '/v1/sources/:id/rotate',
    tag: 'Sources',
    summary: 'Give a source a new ingest URL',
    description: 'The old URL answers 404 at once.',
    auth: 'apiKey',
    responses: { 200: json('The source with its new ingest URL.', sourceSchema) },
  },
  {
    method: 'get',
    path: '/v1/sources/:id/events',
    tag: 'Sources',
    summary: 'Every call a source received, newest first (kept 30 days)',
    auth: 'apiKey',
    query: sourceEventsQuerySchema,
    responses: { 200: json('A page of events.', z.object({ items: z.array(sourceEventSchema), nextCursor: id.nullable() })) },
  },
  {
    method: 'get',
    path: '/in/:token',
    tag: 'Ingest',
    summary: "Meta's webhook verification handshake",
    description: '`?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…`: the challenge as text when the token matches, 403 otherwise.',
    auth: 'none',
    responses: { 200: { description: 'The challenge.', contentType: 'text/plain' }, 403: json('The verify token does not match.', errorEnvelopeSchema) },
  },
  {
    method: 'post',
    path: '/in/:token',
    tag: 'Ingest',
    summary: 'A lead from a form, webhook or ad platform',
    description:
      "Body as the source's type takes it: form (urlencoded, multipart fields or JSON), webhook (JSON, Standard Webhooks signature when a secret is set), meta_lead_ads (a signed `leadgen` notification), google_ads (Google's lead form JSON). A repeat of the same lead answers the same success and stores nothing.",
    auth: 'none',
    responses: {
      200: { description: 'Accepted (ad platforms), or a duplicate.' },
      202: { description: 'A new lead (form, webhook).' },
      303: { description: 'A browser form post with `redirectUrl`: go there.' },
      401: json('Missing or bad signature: nothing stored.', errorEnvelopeSchema),
      403: json('Wrong google_key, a disabled source or an origin not allowed.', errorEnvelopeSchema),
      429: json('Over the source’s calls per minute (Retry-After).', errorEnvelopeSchema),
    },
    errors: [400, 413, 415, 503],
  },
];

/** Calimatic Connect's documented paths, answering exactly like their /v1 twins. */
export const SEED_ROUTES: ApiRoute[] = [
  {
    method: 'post',
    path: '/crm/push/:leadId',
    tag: 'Seed-compatible',
    summary: 'Push one lead now (= POST /v1/leads/{id}/push)',
    auth: 'apiKey',
    body: pushSchema.optional(),
    responses: { 202: json("The lead's deliveries.", pushResultSchema) },
    errors: [409],
  },
  {
    method: 'post',
    path: '/crm/push-pending',
    tag: 'Seed-compatible',
    summary: 'Push every unsynced lead (= POST /v1/leads/push-pending)',
    auth: 'apiKey',
    responses: { 202: json('What was queued.', pushPendingResultSchema) },
  },
  {
    method: 'post',
    path: '/crm/destinations/:id/test',
    tag: 'Seed-compatible',
    summary: 'Test a destination connection (= POST /v1/destinations/{id}/test)',
    auth: 'apiKey',
    responses: { 200: json('The outcome of a real, side-effect-free call.', connectionTestSchema) },
  },
];
