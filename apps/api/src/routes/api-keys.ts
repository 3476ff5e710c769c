import type { RedisConnection } from '@crm-push/queue';
import { z } from 'zod';
import { API_KEY_SCOPES, newApiKey, type ApiKeyResolver } from '../auth/api-key-resolver';
import { ApiError } from '../http/api-error';
import { accountIdOf } from '../http/auth';
import { json, routerOf, type RouteTable } from '../http/route';
import { parse } from '../http/validate';
import { apiKeyCreatedSchema, apiKeyListSchema } from '../openapi/response-schemas';
import type { ApiDeps } from './context';

export const createApiKeySchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    scope: z.enum(API_KEY_SCOPES).default('full'),
  })
  .strict();

export const API_KEY_ROUTES = {
  create: {
    method: 'post',
    path: '/v1/api-keys',
    tag: 'Accounts',
    summary: 'Create another API key for the account',
    description:
      '`scope: "ingest"` keys may only POST /v1/leads (anything else is 403 `INSUFFICIENT_SCOPE`), for web forms and other places a key can leak from.',
    auth: 'apiKey',
    body: createApiKeySchema,
    responses: { 201: json('The key; `apiKey` is shown this once.', apiKeyCreatedSchema) },
  },
  list: {
    method: 'get',
    path: '/v1/api-keys',
    tag: 'Accounts',
    summary: "List the account's API keys",
    description: 'Never the keys themselves; revoked keys are not listed.',
    auth: 'apiKey',
    responses: { 200: json('Every key that is not revoked.', apiKeyListSchema) },
  },
  revoke: {
    method: 'delete',
    path: '/v1/api-keys/:id',
    tag: 'Accounts',
    summary: 'Revoke an API key',
    description: "Refused at once by every api process. 409 `LAST_FULL_KEY` for the account's last full key: create another first.",
    auth: 'apiKey',
    responses: { 204: { description: 'Revoked.' } },
    errors: [409],
  },
} satisfies RouteTable;

type KeyRow = { id: string; name: string; scope: string; createdAt: Date; lastUsedAt: Date | null };

/** A key as listed: never the key itself, which only its creator ever saw. */
export function apiKeyView(k: KeyRow) {
  return { id: k.id, name: k.name, scope: k.scope, createdAt: k.createdAt.toISOString(), lastUsedAt: k.lastUsedAt?.toISOString() ?? null };
}

/** The account's own keys: create (shown once), list, revoke (at once on every api process). */
export function apiKeysRouter(deps: ApiDeps, keys: ApiKeyResolver, publisher: RedisConnection) {
  const { db } = deps;

  return routerOf(API_KEY_ROUTES, {
    create: async (req, res) => {
      const input = parse(createApiKeySchema, req.body);
      const { key, hash } = newApiKey();
      const created = await db.apiKey.create({ data: { accountId: accountIdOf(res), keyHash: hash, name: input.name, scope: input.scope } });
      res.status(201).json({ ...apiKeyView(created), apiKey: key });
    },

    list: async (_req, res) => {
      const rows = await db.apiKey.findMany({ where: { accountId: accountIdOf(res), revokedAt: null }, orderBy: { id: 'asc' } });
      res.json({ items: rows.map(apiKeyView) });
    },

    revoke: async (req, res) => {
      const accountId = accountIdOf(res);
      await db.$transaction(async (tx) => {
        // Serialises revocations of one account, so two at once cannot leave it without a full key.
        await tx.$queryRaw`SELECT id FROM accounts WHERE id = ${accountId} FOR UPDATE`;
        const key = await tx.apiKey.findFirst({ where: { id: req.params.id, accountId, revokedAt: null } });
        if (!key) throw ApiError.notFound('API key');
        if (key.scope === 'full' && (await tx.apiKey.count({ where: { accountId, scope: 'full', revokedAt: null } })) === 1) {
          throw new ApiError(409, 'LAST_FULL_KEY', "this is the account's last full key: create another one before revoking it");
        }
        await tx.apiKey.update({ where: { id: key.id }, data: { revokedAt: new Date() } });
      });
      await keys.announceRevocation(req.params.id, publisher);
      res.status(204).end();
    },
  });
}
