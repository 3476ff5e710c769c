import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { loadConfig, PROCESS_NODE_FLAGS } from '@crm-push/config';
import { queueLayout, redisTarget } from '@crm-push/queue';
import { createTestDatabase, type TestDatabase } from '../databases';
import { expectNoBrokenDeliveries } from '../delivery-invariant';
import { openTestRedis } from '../redis';
import { freePort } from '../servers/free-port';
import { waitFor } from '../wait-for';
import { apiClient, type ApiClient } from './api-client';

/**
 * Test harness for process-level tests: the built api and worker (`npm run build` first) as
 * child processes on a database and Redis index of this test file's own. Every child started
 * here is killed by `stop()`, and by the jest worker's exit as a last resort.
 */
const ROOT = path.resolve(__dirname, '../../../..');
const ENTRY = { api: path.join(ROOT, 'apps/api/dist/main.js'), worker: path.join(ROOT, 'apps/worker/dist/main.js') };
const ADMIN_TOKEN = 'process-test-admin-token-0123';

const running = new Set<ChildProcess>();
process.once('exit', () => running.forEach((c) => c.kill('SIGKILL')));

/**
 * Short delays so a sweep or a retry round takes about a second. Job locks keep their default:
 * a 2 s lock can expire under a CPU-starved test run and hand a running job to a second worker.
 * The crash test shortens them itself (FAST_STALL_RECOVERY).
 */
const BASE_ENV: Record<string, string> = {
  ADMIN_TOKEN,
  ENCRYPTION_KEY: Buffer.alloc(32, 'process-tests').toString('base64'),
  ALLOW_PRIVATE_DESTINATIONS: 'true',
  RETRY_ATTEMPTS: '2',
  RETRY_BASE_MS: '50',
  RETRY_MAX_MS: '200',
  SWEEP_EVERY_MS: '1000',
  WORKER_CONCURRENCY: '20',
  LOG_LEVEL: 'info',
};

/** Worker settings that hand a killed worker's jobs to another within ~4 s. */
export const FAST_STALL_RECOVERY = { WORKER_LOCK_MS: '3000', WORKER_STALLED_CHECK_MS: '1000' };

export interface Child {
  proc: ChildProcess;
  /** The last log lines, for a failing test's message. */
  logs: string[];
  exited: Promise<number | null>;
  /** SIGTERM and wait for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

function spawnChild(which: 'api' | 'worker', env: Record<string, string>, readyMessage: string): Promise<Child> {
  const proc = spawn(process.execPath, [...PROCESS_NODE_FLAGS, ENTRY[which]], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(proc);
  const logs: string[] = [];
  const exited = new Promise<number | null>((resolve) =>
    proc.once('exit', (code) => {
      running.delete(proc);
      resolve(code);
    }),
  );
  const ready = new Promise<void>((resolve, reject) => {
    const onLine = (line: string) => {
      logs.push(line);
      if (logs.length > 300) logs.shift();
      if (line.includes(`"msg":"${readyMessage}"`)) resolve();
    };
    let buffered = '';
    const read = (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      lines.forEach(onLine);
    };
    proc.stdout!.on('data', read);
    proc.stderr!.on('data', read);
    void exited.then((code) => reject(new Error(`${which} exited (${code}) before it was ready:\n${logs.join('\n')}`)));
    setTimeout(() => reject(new Error(`${which} not ready after 20 s:\n${logs.join('\n')}`)), 20_000).unref();
  });
  const child: Child = {
    proc,
    logs,
    exited,
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
      proc.kill(signal);
      return exited;
    },
  };
  return ready.then(
    () => child,
    (err) => {
      proc.kill('SIGKILL');
      throw err;
    },
  );
}

/** A spawned api, with the client that calls it. */
export type ApiChild = Child & ApiClient;

export interface Stack {
  database: TestDatabase;
  redisUrl: string;
  /** FLUSHDB on this test file's Redis index. */
  flushRedis(): Promise<void>;
  /** Starts an api; `env` overrides (e.g. an unreachable REDIS_URL). The child is also a client of it. */
  startApi(env?: Record<string, string>): Promise<ApiChild>;
  startWorker(env?: Record<string, string>): Promise<Child>;
  /** Throws, naming each delivery whose status disagrees with its job in Redis. */
  expectNoBrokenDeliveries(): Promise<void>;
  /**
   * Checks the delivery invariant, kills every child still running and drops the database; then
   * fails if the check found broken deliveries.
   */
  stop(): Promise<void>;
}

export interface StackOptions {
  /** Another Redis for the children (a local cluster): its environment and how to flush it. */
  redis?: { env: Record<string, string>; flush(): Promise<void> };
  /** The DATABASE_URL the children get instead of the direct one (e.g. through PgBouncer). */
  databaseUrl?: (direct: string) => string;
}

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const database = await createTestDatabase();
  const redis = await openTestRedis();
  const children: Child[] = [];
  const databaseUrl = opts.databaseUrl?.(database.url) ?? database.url;
  const env = (extra: Record<string, string> = {}) => ({ ...BASE_ENV, DATABASE_URL: databaseUrl, REDIS_URL: redis.url, ...opts.redis?.env, ...extra });
  // The invariant check reads the queues where the children keep them (a cluster's, with its shards).
  const checkOptions = () => {
    const config = loadConfig(env());
    return { db: database.db, redis: redisTarget(config), layout: queueLayout(config), sweepMax: config.SWEEP_MAX };
  };
  return {
    database,
    redisUrl: redis.url,
    flushRedis: () => (opts.redis ? opts.redis.flush() : redis.flush()),
    async startApi(extra = {}) {
      const port = await freePort();
      const child = await spawnChild('api', env({ PORT: String(port), ...extra }), 'api listening');
      children.push(child);
      return Object.assign(child, apiClient(`http://127.0.0.1:${port}`, ADMIN_TOKEN));
    },
    async startWorker(extra = {}) {
      const child = await spawnChild('worker', env(extra), 'worker started');
      children.push(child);
      return child;
    },
    expectNoBrokenDeliveries: () => expectNoBrokenDeliveries(checkOptions()),
    async stop() {
      const check = await expectNoBrokenDeliveries(checkOptions()).then(
        () => undefined,
        (err: Error) => err,
      );
      await Promise.all(children.map((c) => c.stop('SIGKILL')));
      await redis.close();
      await database.drop();
      if (check) throw check;
    },
  };
}

/** Waits until no lead is pending and no delivery queued or retrying; returns the leads per status. */
export async function allLeadsSettled(database: TestDatabase, what: string, timeoutMs = 30_000): Promise<Record<string, number>> {
  return waitFor(
    what,
    async () => {
      // A synced lead may still have a delivery in flight: settled means none is left either.
      const unfinished = await database.db.delivery.count({ where: { status: { in: ['queued', 'retrying'] } } });
      if (unfinished) return undefined;
      const groups = await database.db.lead.groupBy({ by: ['status'], _count: { _all: true } });
      const counts = Object.fromEntries(groups.map((g) => [g.status, g._count._all]));
      return counts.pending ? undefined : counts;
    },
    { timeoutMs, intervalMs: 100 },
  );
}
