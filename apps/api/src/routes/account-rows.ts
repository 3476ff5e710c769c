import { ApiError } from '../http/api-error';
import { accountIdOf } from '../http/auth';
import type { RouteHandler } from '../http/route';

/** The part of a Prisma model's delegate (db.flow, db.source) these reads use. */
export interface AccountRowsDelegate<Row> {
  findFirst(args: { where: { id: string; accountId: string } }): PromiseLike<Row | null>;
  findMany(args: { where: { accountId: string }; orderBy: { id: 'asc' } }): PromiseLike<Row[]>;
}

/**
 * The reads of a resource each account has its own of: `findOwn` answers 404 for another
 * account's id as for an unknown one (`noun` names it), and the `list` (oldest first) and `get`
 * handlers answer with its views.
 */
export function accountRows<Row>(
  noun: string,
  rows: AccountRowsDelegate<Row>,
  view: (row: Row) => unknown,
): { findOwn(accountId: string, id: string): Promise<Row>; list: RouteHandler; get: RouteHandler } {
  const findOwn = async (accountId: string, id: string) => {
    const found = await rows.findFirst({ where: { id, accountId } });
    if (!found) throw ApiError.notFound(noun);
    return found;
  };
  return {
    findOwn,
    list: async (_req, res) => {
      const items = await rows.findMany({ where: { accountId: accountIdOf(res) }, orderBy: { id: 'asc' } });
      res.json({ items: items.map(view) });
    },
    get: async (req, res) => {
      res.json(view(await findOwn(accountIdOf(res), req.params.id)));
    },
  };
}
