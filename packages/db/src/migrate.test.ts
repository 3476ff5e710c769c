import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { createEmptyDatabase } from '@crm-push/testing';
import { applyMigrations } from './migrate';

/** The applier against a real, empty PostgreSQL database and a migrations folder of the test's own. */
describe('applyMigrations', () => {
  let database: Awaited<ReturnType<typeof createEmptyDatabase>>;
  let dir: string;

  beforeEach(async () => {
    database = await createEmptyDatabase();
    dir = mkdtempSync(path.join(tmpdir(), 'crm-push-migrations-'));
  });
  afterEach(async () => {
    rmSync(dir, { recursive: true, force: true });
    await database.drop();
  });

  function writeMigration(name: string, sql: string): void {
    mkdirSync(path.join(dir, name), { recursive: true });
    writeFileSync(path.join(dir, name, 'migration.sql'), sql);
  }

  async function history(): Promise<{ migration_name: string; finished: boolean; logs: string | null }[]> {
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      const rows = await client.query(
        'SELECT migration_name, finished_at IS NOT NULL AS finished, logs FROM "_prisma_migrations" ORDER BY started_at, migration_name',
      );
      return rows.rows;
    } finally {
      await client.end();
    }
  }

  it('applies each migration once, in name order', async () => {
    writeMigration('20260101000000_a', 'CREATE TABLE a (id int PRIMARY KEY);');
    writeMigration('20260102000000_b', 'CREATE TABLE b (a_id int REFERENCES a);');
    expect(await applyMigrations(database.url, dir)).toEqual({ applied: ['20260101000000_a', '20260102000000_b'] });
    expect(await applyMigrations(database.url, dir)).toEqual({ applied: [] });
  });

  it('refuses to run over an applied migration whose file changed since', async () => {
    writeMigration('20260101000000_a', 'CREATE TABLE a (id int);');
    await applyMigrations(database.url, dir);
    writeMigration('20260101000000_a', 'CREATE TABLE a (id bigint);');
    writeMigration('20260102000000_b', 'CREATE TABLE b (id int);');
    await expect(applyMigrations(database.url, dir)).rejects.toThrow('migration 20260101000000_a was modified after it was applied');
    expect((await history()).map((r) => r.migration_name)).toEqual(['20260101000000_a']);
  });

  it('records a failed run with its error and stops the next run until it is resolved', async () => {
    writeMigration('20260101000000_a', 'CREATE TABLE a (id int);');
    writeMigration('20260102000000_b', 'CREATE TABLE b (id int REFERENCES missing);');
    await expect(applyMigrations(database.url, dir)).rejects.toThrow('migration 20260102000000_b failed: relation "missing" does not exist');
    expect(await history()).toEqual([
      { migration_name: '20260101000000_a', finished: true, logs: null },
      { migration_name: '20260102000000_b', finished: false, logs: 'relation "missing" does not exist' },
    ]);

    writeMigration('20260102000000_b', 'CREATE TABLE b (id int);');
    await expect(applyMigrations(database.url, dir)).rejects.toThrow('prisma migrate resolve --rolled-back 20260102000000_b');

    const client = new Client({ connectionString: database.url });
    await client.connect();
    await client.query(`UPDATE "_prisma_migrations" SET rolled_back_at = now() WHERE finished_at IS NULL`);
    await client.end();
    expect(await applyMigrations(database.url, dir)).toEqual({ applied: ['20260102000000_b'] });
  });
});
