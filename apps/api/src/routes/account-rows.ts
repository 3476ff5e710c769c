import { ApiError } from '../http/api-error';
import { accountIdOf } from '../http/auth';
import type { RouteHandler } from '../http/route';

export interface AccountRowsOf<Row> {
  /** What the API calls a row in its 404 ("flow", "source"). */
  noun: string;
  /** The account's row with this id, if it has one. */
  find(where: { id: string; accountId: string }): Promise<Row | null>;
  /** Every row of the account, oldest first. */
  list(accountId: string): Promise<Row[]>;
  view(row: Row): unknown;
}

/**
 * The reads of a resource each account has its own of: `findOwn` answers 404 for another
 * account's id as for an unknown one, and the `list` and `get` handlers answer with its views.
 */
export function accountRows<Row>(rows: AccountRowsOf<Row>): { findOwn(accountId: string, id: string): Promise<Row>; list: RouteHandler; get: RouteHandler } {
  const findOwn = async (accountId: string, id: string) => {
    const found = await rows.find({ id, accountId });
    if (!found) throw ApiError.notFound(rows.noun);
    return found;
  };
  return {
    findOwn,
    list: async (_req, res) => {
      const items = await rows.list(accountIdOf(res));
      res.json({ items: items.map(rows.view) });
    },
    get: async (req, res) => {
      res.json(rows.view(await findOwn(accountIdOf(res), req.params.id)));
    },
  };
}
