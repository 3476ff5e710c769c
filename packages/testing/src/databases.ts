import { Client } from 'pg';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createDb, DEFAULT_MIGRATIONS_DIR, prepareDatabase, type Db } from '@crm-push/db';

/** The server tests run against; each test file gets a database of its own on it. */
export const TEST_PG_URL = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
/** One template per migration set, so concurrent jest runs never rebuild a template another uses. */
const TEMPLATE_LOCK = 4247001;

function templateName(): string {
  const hash = createHash('sha256');
  for (const name of readdirSync(DEFAULT_MIGRATIONS_DIR).sort()) {
    const file = path.join(DEFAULT_MIGRATIONS_DIR, name, 'migration.sql');
    if (existsSync(file)) hash.update(name).update(readFileSync(file));
  }
  return `crm_push_test_tpl_${hash.digest('hex').slice(0, 12)}`;
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

/** Run once per jest run: the migrated template that test databases are cloned from. */
export async function prepareTemplateDatabase(): Promise<string> {
  const name = templateName();
  await withAdmin(async (c) => {
    await c.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK]);
    try {
      // Templates of older migration sets are of no further use.
      const stale = await c.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 'crm_push_test_tpl_%' AND datname NOT LIKE $1", [`${name}%`]);
      for (const { datname } of stale.rows) await c.query(`DROP DATABASE IF EXISTS ${datname}`).catch(() => undefined);
      const found = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (found.rowCount) return;
      const building = `${name}_building`;
      await c.query(`DROP DATABASE IF EXISTS ${building} WITH (FORCE)`);
      await prepareDatabase(urlFor(building));
      await c.query(`ALTER DATABASE ${building} RENAME TO ${name}`);
    } finally {
      await c.query('SELECT pg_advisory_unlock($1)', [TEMPLATE_LOCK]);
    }
  });
  return name;
}

export interface TestDatabase {
  url: string;
  db: Db;
  drop(): Promise<void>;
}

/** A fresh, migrated database for one test file; drop() removes it. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `crm_push_test_${randomBytes(5).toString('hex')}`;
  await withAdmin((c) => c.query(`CREATE DATABASE ${name} TEMPLATE ${templateName()}`));
  const url = urlFor(name);
  const db = createDb(url, { max: 5 });
  return {
    url,
    db,
    async drop() {
      await db.$disconnect();
      await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}
