import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from './generated/prisma/client';

export type Db = PrismaClient;

/** The pool under a client made by createDb, on the client itself (so a wrapper that forwards properties keeps it). */
const POOL = Symbol('crm-push.pool');

/**
 * A Prisma client over node-postgres (Prisma 7's driver adapter: no native engine needed).
 * `max` is the process's pool (DATABASE_POOL_SIZE), shared by Prisma and queryDirect. The
 * adapter sends unnamed extended-protocol statements only (no named prepared statements, no
 * session state), and so does queryDirect, so both work through PgBouncer in transaction
 * pooling mode as they do straight to PostgreSQL.
 */
export function createDb(databaseUrl: string, opts: { max?: number } = {}): Db {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: opts.max ?? 10 });
  // An idle connection's error surfaces in the next statement on it; without a listener it would end the process.
  pool.on('error', () => undefined);
  const db = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
  Object.defineProperty(db, POOL, { value: pool });
  return db;
}

/** `timestamp` columns hold UTC (as Prisma writes them); node-postgres would read them as local time. */
const TIMESTAMP_OID = 1114;
const parseUtcTimestamp = (value: string) => new Date(`${value.replace(' ', 'T')}Z`);
const directTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === TIMESTAMP_OID ? parseUtcTimestamp : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/**
 * One statement straight through the client's pool, without Prisma's runtime, which maps every
 * parameter and every value of a raw query's rows one by one: for the few statements of the hot
 * path whose rows or array parameters are many (see `npm run bench`). Rows are plain objects
 * by column name; timestamps come back as Dates read as UTC. Pass a Date as `toISOString()`:
 * node-postgres would send it in the machine's local time.
 */
export async function queryDirect<Row>(db: Db, text: string, values: readonly unknown[]): Promise<{ rows: Row[] }> {
  const pool = (db as Db & { [POOL]?: pg.Pool })[POOL];
  if (!pool) throw new Error('queryDirect needs a client made by createDb');
  const result = await pool.query({ text, values: values as unknown[], types: directTypes });
  return { rows: result.rows as Row[] };
}
