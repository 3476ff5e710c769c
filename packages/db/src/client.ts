import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/prisma/client';

export type Db = PrismaClient;

/**
 * A Prisma client over node-postgres (Prisma 7's driver adapter: no native engine needed).
 * `max` is the process's pool (DATABASE_POOL_SIZE). The adapter sends unnamed extended-protocol
 * statements only (no named prepared statements, no session state), so it works through
 * PgBouncer in transaction pooling mode as it does straight to PostgreSQL.
 */
export function createDb(databaseUrl: string, opts: { max?: number } = {}): Db {
  const adapter = new PrismaPg({ connectionString: databaseUrl, max: opts.max ?? 10 });
  return new PrismaClient({ adapter });
}
