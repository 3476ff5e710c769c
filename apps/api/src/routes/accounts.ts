import { Router } from 'express';
import { z } from 'zod';
import { newApiKey } from '../auth/api-key-resolver';
import { parse } from '../http/validate';
import type { ApiDeps } from './context';

export const createAccountSchema = z.object({ name: z.string().trim().min(1).max(200) }).strict();

/** Admin only: the admin token is checked in app.ts before any /v1 body is read. The account's first key is a `full` key. */
export function accountsRouter(deps: ApiDeps): Router {
  const router = Router();
  router.post('/v1/accounts', async (req, res) => {
    const { name } = parse(createAccountSchema, req.body);
    const { key, hash } = newApiKey();
    const account = await deps.db.account.create({ data: { name, apiKeys: { create: { keyHash: hash, name: 'default', scope: 'full' } } } });
    res.status(201).json({ id: account.id, name: account.name, apiKey: key, createdAt: account.createdAt.toISOString() });
  });
  return router;
}
