import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { waitFor } from '../wait-for';
import { startChildServer } from './child-server';
import { freePort } from './free-port';

export interface LocalPgBouncer {
  port: number;
  /** `databaseUrl` with its host and port replaced by PgBouncer's. */
  urlFor(databaseUrl: string): string;
  /** SHOW POOLS from PgBouncer's admin console: pool mode and connections per database. */
  pools(): Promise<Record<string, string>[]>;
  stop(): Promise<void>;
}

/**
 * PgBouncer in transaction pooling mode in front of the PostgreSQL of `serverUrl` (trust auth,
 * every database), on a free port. As root it switches to the `postgres` user, since PgBouncer
 * refuses to run as root. `stop()` ends it and removes its folder.
 */
export async function startPgBouncer(serverUrl: string, opts: { poolSize?: number } = {}): Promise<LocalPgBouncer> {
  const server = new URL(serverUrl);
  const user = decodeURIComponent(server.username || 'postgres');
  const dir = await mkdtemp(path.join(tmpdir(), 'crm-push-pgbouncer-'));
  await chmod(dir, 0o777);
  const port = await freePort();
  const ini = [
    '[databases]',
    `* = host=${server.hostname} port=${server.port || 5432}`,
    '[pgbouncer]',
    `listen_addr = 127.0.0.1`,
    `listen_port = ${port}`,
    'unix_socket_dir =',
    'auth_type = trust',
    `auth_file = ${dir}/userlist.txt`,
    `admin_users = ${user}`,
    'pool_mode = transaction',
    `default_pool_size = ${opts.poolSize ?? 20}`,
    'max_client_conn = 500',
    // node-postgres sends these at connect; PgBouncer must not refuse the connection for them.
    'ignore_startup_parameters = extra_float_digits,options',
    ...(process.getuid?.() === 0 ? ['user = postgres'] : []),
  ].join('\n');
  await writeFile(path.join(dir, 'userlist.txt'), `"${user}" ""\n`, { mode: 0o644 });
  await writeFile(path.join(dir, 'pgbouncer.ini'), ini + '\n', { mode: 0o644 });
  const child = startChildServer('pgbouncer', [path.join(dir, 'pgbouncer.ini')]);
  const stop = async () => {
    await child.stop();
    await rm(dir, { recursive: true, force: true });
  };
  const admin = `postgresql://${encodeURIComponent(user)}@127.0.0.1:${port}/pgbouncer`;
  const pools = async () => {
    const client = new Client({ connectionString: admin });
    await client.connect();
    try {
      return (await client.query('SHOW POOLS')).rows as Record<string, string>[];
    } finally {
      await client.end();
    }
  };
  try {
    await waitFor('PgBouncer to accept connections', () => pools().then(() => true), { timeoutMs: 10_000, intervalMs: 100 });
  } catch (err) {
    const output = child.output();
    await stop();
    throw new Error(`${(err as Error).message}\n${output}`);
  }
  return {
    port,
    urlFor(databaseUrl) {
      const url = new URL(databaseUrl);
      url.hostname = '127.0.0.1';
      url.port = String(port);
      return url.toString();
    },
    pools,
    stop,
  };
}
