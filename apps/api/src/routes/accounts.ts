import { z } from 'zod';
import { newApiKey } from '../auth/api-key-resolver';
import { json, routerOf, type RouteTable } from '../http/route';
import { parse } from '../http/validate';
import { accountCreatedSchema } from '../openapi/response-schemas';
import type { ApiDeps } from './context';

export const createAccountSchema = z.object({ name: z.string().trim().min(1).max(200) }).strict();

export const ACCOUNT_ROUTES = {
  create: {
    method: 'post',
    path: '/v1/accounts',
    tag: 'Accounts',
    summary: 'Create an account and its API key',
    auth: 'admin',
    body: createAccountSchema,
    responses: { 201: json('The account; `apiKey` (a `full` key) is shown this once.', accountCreatedSchema) },
  },
} satisfies RouteTable;

/** Admin only: the admin token is checked in app.ts before any /v1 body is read. The account's first key is a `full` key. */
export function accountsRouter(deps: ApiDeps) {
  return routerOf(ACCOUNT_ROUTES, {
    create: async (req, res) => {
      const { name } = parse(createAccountSchema, req.body);
      const { key, hash } = newApiKey();
      const account = await deps.db.account.create({ data: { name, apiKeys: { create: { keyHash: hash, name: 'default', scope: 'full' } } } });
      res.status(201).json({ id: account.id, name: account.name, apiKey: key, createdAt: account.createdAt.toISOString() });
    },
  });
}
