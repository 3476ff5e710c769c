import { Client } from 'pg';
import { randomBytes } from 'node:crypto';
import { createDb, prepareDatabase, type Db } from '@crm-push/db';

/** The server tests run against; each test file gets a database of its own on it. */
export const TEST_PG_URL = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
/**
 * Every database a jest run creates carries the run's id, so the run can drop exactly its own at
 * the end and never touches another run's (or anyone else's) databases on a shared server.
 */
const RUN_ENV = 'CRM_PUSH_TEST_RUN';

function runId(): string {
  const id = process.env[RUN_ENV];
  if (!id) throw new Error(`${RUN_ENV} is unset: the jest global set-up creates the test template`);
  return id;
}

function templateName(run = runId()): string {
  return `crm_push_test_${run}_tpl`;
}

function urlFor(name: string): string {
  const url = new URL(TEST_PG_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function withAdmin<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: urlFor('postgres') });
  client.on('error', () => undefined); // a dropped admin connection surfaces through the failing query
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Run once per jest run: the migrated template that this run's test databases are cloned from. */
export async function prepareTemplateDatabase(): Promise<string> {
  process.env[RUN_ENV] ??= randomBytes(4).toString('hex');
  const name = templateName();
  await prepareDatabase(urlFor(name));
  return name;
}

/** Run once at the end of a jest run: drops the template and any test database the run left. */
export async function dropRunDatabases(): Promise<void> {
  const run = process.env[RUN_ENV];
  if (!run) return;
  await withAdmin(async (c) => {
    const mine = await c.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [`crm_push_test_${run}_%`]);
    for (const { datname } of mine.rows) await c.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  });
}

export interface TestDatabase {
  url: string;
  db: Db;
  drop(): Promise<void>;
}

/** A fresh, migrated database for one test file; drop() removes it. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const { url, drop } = await createRunDatabase(`TEMPLATE ${templateName()}`);
  const db = createDb(url, { max: 5 });
  return {
    url,
    db,
    async drop() {
      await db.$disconnect();
      await drop();
    },
  };
}

/** A database with no schema at all, for tests of the migration applier itself. */
export async function createEmptyDatabase(): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  return createRunDatabase('');
}

async function createRunDatabase(options: string): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = `crm_push_test_${runId()}_${randomBytes(5).toString('hex')}`;
  await withAdmin((c) => c.query(`CREATE DATABASE ${name} ${options}`));
  return { name, url: urlFor(name), drop: () => withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined) };
}
