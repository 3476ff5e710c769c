import { CRM_TYPES, fieldRuleSchema } from '@crm-push/crm';
import { laneLimitsSchema, batchSettingsSchema } from '@crm-push/delivery';
import { conditionSchema } from '@crm-push/flows';
import { SOURCE_TYPES } from '@crm-push/sources';
import { z } from 'zod';

/**
 * What the API answers, as zod schemas: the requests are documented from the schemas that
 * validate them; these describe the views the routes build (views.ts, @crm-push/delivery's views),
 * and openapi-live.test.ts checks real answers against the document built from them, so they cannot drift.
 */

const id = z.string().min(1);
const timestamp = z.iso.datetime({ offset: true });
const errorInfo = z.object({ code: z.string(), message: z.string() });

export const errorEnvelopeSchema = z.object({
  error: z.object({
    code: z.string().describe('SNAKE_CASE and stable: VALIDATION_ERROR, UNAUTHORIZED, NOT_FOUND, ...'),
    message: z.string(),
    details: z.unknown().optional().describe('For VALIDATION_ERROR: one {path, message} per bad field.'),
  }),
});

export const accountCreatedSchema = z.object({
  id,
  name: z.string(),
  apiKey: z.string().describe('Shown once: only its hash is stored.'),
  createdAt: timestamp,
});

export const apiKeySchema = z.object({
  id,
  name: z.string(),
  scope: z.enum(['full', 'ingest']).describe('`ingest` keys may only POST /v1/leads.'),
  createdAt: timestamp,
  lastUsedAt: timestamp.nullable().describe('Recorded at most once a minute.'),
});

export const apiKeyCreatedSchema = apiKeySchema.extend({ apiKey: z.string().describe('Shown once: only its hash is stored.') });

export const apiKeyListSchema = z.object({ items: z.array(apiKeySchema) });

export const destinationSchema = z.object({
  id,
  name: z.string(),
  type: z.enum(CRM_TYPES as [string, ...string[]]),
  enabled: z.boolean(),
  routing: z.enum(['all', 'flows']),
  config: z.record(z.string(), z.unknown()).describe("The type's config with its defaults filled in."),
  fieldMapping: z.array(fieldRuleSchema).nullable(),
  hasCredentials: z.boolean().describe('Credentials are never returned.'),
  limits: laneLimitsSchema.nullable().describe("The lane's limits as set; null: the type's defaults."),
  batch: batchSettingsSchema.nullable().describe('How deliveries are gathered into batch calls, as set; null: the defaults (Salesforce and HubSpot batch).'),
  health: z.object({
    state: z.enum(['active', 'throttled', 'paused']),
    reason: z.enum(['RATE_LIMITED', 'DAILY_LIMIT', 'FAILING', 'CREDENTIALS_REJECTED', 'MANUAL']).nullable(),
    since: timestamp.nullable(),
    resumeAt: timestamp.nullable().describe('The next probe or the end of the window.'),
    consecutiveFailures: z.number().int().nonnegative(),
    queued: z.number().int().nonnegative().describe('Deliveries waiting for this destination.'),
  }),
  createdAt: timestamp,
  updatedAt: timestamp,
});

export const destinationEventPageSchema = z.object({
  items: z.array(z.object({ id, at: timestamp, state: z.string(), reason: z.string().nullable(), message: z.string(), resumeAt: timestamp.nullable() })),
  nextCursor: id.nullable(),
});

export const destinationListSchema = z.object({ items: z.array(destinationSchema) });

export const connectionTestSchema = z.object({
  ok: z.boolean(),
  latencyMs: z.number().nonnegative(),
  statusCode: z.number().int().optional(),
  error: errorInfo.optional(),
});

const deliveryStatus = z.enum(['queued', 'retrying', 'succeeded', 'failed']);

const deliveryState = {
  id,
  status: deliveryStatus,
  attempts: z.number().int().nonnegative().describe('Every call made for this delivery, sweeps and manual retries included.'),
  lastStatusCode: z.number().int().nullable(),
  lastError: errorInfo.nullable(),
  nextRetryAt: timestamp.nullable(),
  updatedAt: timestamp,
};

export const crmDeliverySchema = z.object({
  ...deliveryState,
  destinationId: id,
  destinationType: z.enum(CRM_TYPES as [string, ...string[]]).nullable(),
  externalId: z.string().nullable().describe("The record's id in the CRM once pushed."),
});

/** A flow's Slack, email or webhook action run for a lead. */
export const actionDeliverySchema = z.object({
  ...deliveryState,
  type: z.enum(['slack', 'email', 'webhook']),
  flowId: id.nullable(),
  actionIndex: z.number().int().nonnegative().nullable(),
});

export const attemptSchema = z.object({
  at: timestamp,
  durationMs: z.number().int().nonnegative(),
  statusCode: z.number().int().nullable(),
  error: errorInfo.extend({ retryable: z.boolean().nullable() }).nullable(),
  meta: z.unknown().optional(),
});

const withAttemptLog = { leadId: id, attemptLog: z.array(attemptSchema) };

export const deliveryDetailSchema = z.union([crmDeliverySchema.extend(withAttemptLog), actionDeliverySchema.extend(withAttemptLog)]);

/** A delivery with the lead it belongs to, as lists and retries answer it. */
export const deliveryOfLeadSchema = z.union([crmDeliverySchema.extend({ leadId: id }), actionDeliverySchema.extend({ leadId: id })]);

export const deliveryPageSchema = z.object({ items: z.array(deliveryOfLeadSchema), nextCursor: id.nullable() });

const queuedDelivery = z.object({ id, destinationId: id, status: deliveryStatus });

export const leadAcceptedSchema = z.object({
  id,
  status: z
    .enum(['pending', 'synced', 'failed', 'erased'])
    .describe('`erased`: a repeat of the request that created a lead since erased; it is not stored again.'),
  deliveries: z.array(queuedDelivery),
});

export const leadSchema = z.object({
  id,
  source: z.string().nullable(),
  externalId: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
  status: z.enum(['pending', 'synced', 'failed']).describe('synced once a delivery succeeded; failed when every delivery failed; pending otherwise.'),
  test: z.literal(true).optional().describe("Only on a platform's test lead (Google Ads test data)."),
  createdAt: timestamp,
  deliveries: z.array(crmDeliverySchema),
  actions: z.array(actionDeliverySchema),
});

export const leadPageSchema = z.object({ items: z.array(leadSchema), nextCursor: id.nullable() });

export const pushResultSchema = z.object({
  deliveries: z.array(queuedDelivery.describe('Already-succeeded deliveries are listed with their status, not pushed again.')),
});

export const pushPendingResultSchema = z.object({
  operationId: id.describe('Follow it at GET /v1/operations/{id}. A request while one runs answers the running one.'),
  leads: z.number().int().nonnegative().describe('Unsynced leads it will push, counted before it started.'),
  deliveries: z.number().int().nonnegative().describe('Deliveries it will queue, counted before it started.'),
});

export const operationSchema = z.object({
  id,
  type: z.literal('push-pending'),
  status: z.enum(['running', 'done', 'failed']),
  leads: z.number().int().nonnegative(),
  deliveries: z.number().int().nonnegative(),
  progress: z.object({ leads: z.number().int().nonnegative(), deliveries: z.number().int().nonnegative() }),
  startedAt: timestamp,
  finishedAt: timestamp.nullable(),
  error: z.object({ message: z.string() }).nullable(),
});

/** Actions as flows answer them: a webhook's signing secret becomes `hasSigningSecret`. */
const actionViewSchema = z.union([
  z.object({ type: z.literal('crm_push'), destinationIds: z.array(id) }),
  z.object({
    type: z.literal('slack'),
    webhookUrlHint: z.string().describe('The webhook URL is a credential: only its host and last 4 characters are shown'),
    text: z.string(),
  }),
  z.object({ type: z.literal('email'), to: z.array(z.string()), subject: z.string(), text: z.string(), html: z.string().optional() }),
  z.object({ type: z.literal('webhook'), url: z.string(), hasSigningSecret: z.boolean() }),
]);

export const flowSchema = z.object({
  id,
  name: z.string(),
  enabled: z.boolean(),
  when: conditionSchema,
  actions: z.array(actionViewSchema),
  createdAt: timestamp,
  updatedAt: timestamp,
});

export const flowListSchema = z.object({ items: z.array(flowSchema) });

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

export const sourceListSchema = z.object({ items: z.array(sourceSchema) });

export const sourceEventPageSchema = z.object({ items: z.array(sourceEventSchema), nextCursor: id.nullable() });

export const healthSchema = z.object({ status: z.literal('ok') });

const dependencyCheck = z.object({ status: z.enum(['up', 'down']), error: z.string().optional() });
const redisCheck = dependencyCheck.extend({
  maxmemoryPolicy: z.string().optional().describe("Redis's maxmemory-policy; BullMQ needs noeviction"),
  warning: z.string().optional().describe('Set when the policy can evict queued jobs'),
});

export const readinessSchema = z.object({
  status: z.enum(['ready', 'unavailable']),
  checks: z.object({ postgres: dependencyCheck, redis: redisCheck }),
});
