import { createHash, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';

/**
 * Applies prisma/migrations at start-up without Prisma's native engine. The folder layout, the
 * `_prisma_migrations` table, its checksums and advisory lock are Prisma's own, so
 * `prisma migrate deploy` and `migrate status` accept what this wrote, wherever they can run.
 */
export const DEFAULT_MIGRATIONS_DIR = path.resolve(__dirname, '../../../prisma/migrations');
const PRISMA_ADVISORY_LOCK = 72707369;

const CREATE_MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id"                  VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum"            VARCHAR(64) NOT NULL,
  "finished_at"         TIMESTAMPTZ,
  "migration_name"      VARCHAR(255) NOT NULL,
  "logs"                TEXT,
  "rolled_back_at"      TIMESTAMPTZ,
  "started_at"          TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

/** Creates the database named in the URL when it does not exist yet. */
export async function ensureDatabase(databaseUrl: string): Promise<boolean> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  url.pathname = '/postgres';
  const admin = new Client({ connectionString: url.toString() });
  await admin.connect();
  try {
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount) return false;
    try {
      await admin.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
    } catch (err) {
      if ((err as { code?: string }).code !== '42P04') throw err; // another process created it first
    }
    return true;
  } finally {
    await admin.end();
  }
}

export interface MigrationResult {
  applied: string[];
}

/**
 * Applies every migration folder not yet recorded, each in its own transaction. Like Prisma's
 * deploy it refuses to run over a history it cannot trust: an applied migration whose file has
 * changed since, or a recorded failed run that nobody has resolved.
 */
export async function applyMigrations(databaseUrl: string, dir = DEFAULT_MIGRATIONS_DIR): Promise<MigrationResult> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_ADVISORY_LOCK]);
    await client.query(CREATE_MIGRATIONS_TABLE);
    const history = await readHistory(client);
    const result: MigrationResult = { applied: [] };
    for (const name of listMigrations(dir)) {
      const sql = readFileSync(path.join(dir, name, 'migration.sql'));
      const recorded = history.get(name);
      if (recorded) {
        verifyRecorded(name, recorded, checksumOf(sql));
        continue;
      }
      await applyOne(client, name, sql);
      result.applied.push(name);
    }
    return result;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_ADVISORY_LOCK]).catch(() => undefined);
    await client.end();
  }
}

interface RecordedMigration {
  checksum: string;
  finished: boolean;
}

/** The live (not rolled back) rows of `_prisma_migrations`, by migration name. */
async function readHistory(client: Client): Promise<Map<string, RecordedMigration>> {
  const rows = await client.query<{ migration_name: string; checksum: string; finished: boolean }>(
    'SELECT migration_name, checksum, finished_at IS NOT NULL AS finished FROM "_prisma_migrations" WHERE rolled_back_at IS NULL',
  );
  const history = new Map<string, RecordedMigration>();
  for (const row of rows.rows) {
    // A finished row wins over an earlier failed attempt of the same migration.
    if (!history.get(row.migration_name)?.finished) history.set(row.migration_name, { checksum: row.checksum, finished: row.finished });
  }
  return history;
}

function verifyRecorded(name: string, recorded: RecordedMigration, checksum: string): void {
  if (!recorded.finished) {
    throw new Error(
      `migration ${name} failed in an earlier run and is recorded as failed in _prisma_migrations; ` +
        `fix the database, then mark it rolled back (prisma migrate resolve --rolled-back ${name}) to retry it`,
    );
  }
  if (recorded.checksum !== checksum) {
    throw new Error(`migration ${name} was modified after it was applied (checksum differs); restore the file or add a new migration instead`);
  }
}

function checksumOf(sql: Buffer): string {
  return createHash('sha256').update(sql).digest('hex');
}

function listMigrations(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(dir, d.name, 'migration.sql')))
    .map((d) => d.name)
    .sort();
}

async function applyOne(client: Client, name: string, sql: Buffer): Promise<void> {
  const checksum = checksumOf(sql);
  await client.query('BEGIN');
  try {
    // The whole file as one simple query: quoted ';' and $$ bodies stay intact.
    await client.query(sql.toString('utf8'));
    await client.query(
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
       VALUES ($1, $2, $3, now(), now(), 1)`,
      [randomUUID(), checksum, name],
    );
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK');
    const message = (err as Error).message;
    // Recorded outside the rolled-back transaction, as Prisma does, so the next run stops and says so.
    await client.query(
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, logs, applied_steps_count)
       VALUES ($1, $2, $3, now(), $4, 0)`,
      [randomUUID(), checksum, name, message],
    );
    throw new Error(`migration ${name} failed: ${message}`, { cause: err });
  }
}

/** What `npm start` runs before the processes: database created if missing, schema up to date. */
export async function prepareDatabase(databaseUrl: string, dir = DEFAULT_MIGRATIONS_DIR): Promise<MigrationResult> {
  await ensureDatabase(databaseUrl);
  return applyMigrations(databaseUrl, dir);
}
