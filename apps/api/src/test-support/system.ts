import { networkPolicyFromConfig } from '@crm-push/outbound';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Express } from 'express';
import { createLogger, loadConfig, type Config } from '@crm-push/config';
import { createDb, SecretBox } from '@crm-push/db';
import { createDeliveryWorkers, Lanes, type DeliveryDeps } from '@crm-push/delivery';
import { ProcessMetrics } from '@crm-push/metrics';
import { createRedis, queueLayout, Queues, readEvictionPolicy, redisTarget, type JobWorker } from '@crm-push/queue';
import { createCustomSink, createTestDatabase, expectNoBrokenDeliveries, jsonCall, openTestRedis, waitFor, type CustomSink } from '@crm-push/testing';
import { createApp } from '../app';

export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789';

/** Short delays so retry tests take milliseconds; private destinations for local fakes. */
const TEST_ENV = {
  ADMIN_TOKEN: TEST_ADMIN_TOKEN,
  ALLOW_PRIVATE_DESTINATIONS: 'true',
  RETRY_BASE_MS: '40',
  RETRY_MAX_MS: '400',
  LOG_LEVEL: 'silent',
};

export interface TestSystem {
  url: string;
  /** The Express app itself, for tests that read its routes. */
  app: Express;
  config: Config;
  deps: DeliveryDeps;
  /** JSON over HTTP to the api; `key` is an account's API key (or the admin token). */
  call(
    method: string,
    path: string,
    opts?: { key?: string; body?: unknown; headers?: Record<string, string>; baseUrl?: string },
  ): Promise<{ status: number; body: any; headers: Headers }>;
  /** Creates an account and returns its API key. */
  createAccount(name?: string): Promise<{ id: string; apiKey: string }>;
  /** POSTs a lead (expecting 202) and returns its id. */
  postLead(key: string, data: Record<string, unknown>): Promise<string>;
  /** The lead's view once every delivery and flow action of it is `succeeded` or `failed`. */
  settledLead(leadId: string, key: string): Promise<any>;
  /**
   * Another api on the same database and Redis with connections of its own (its own pool,
   * producer and subscriber), like a second api process behind a load balancer.
   */
  startSiblingApi(): Promise<{ url: string; stop(): Promise<void> }>;
  startWorkers(): void;
  stopWorkers(): Promise<void>;
  /** Throws, naming each delivery whose status disagrees with its job in Redis (delivery-fate.ts). */
  expectNoBrokenDeliveries(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The api (in-process, on a random port) and a worker on a database and a Redis index of
 * this test file's own — real PostgreSQL, real Redis, real BullMQ.
 */
export async function startSystem(
  opts: {
    env?: Record<string, string>;
    workers?: boolean;
    logDestination?: { write(line: string): void };
    /** Reach PostgreSQL through this address (a fault-injecting proxy) instead of directly. */
    databaseVia?: { host: string; port: number };
  } = {},
): Promise<TestSystem> {
  const database = await createTestDatabase();
  const db = opts.databaseVia ? createDb(viaAddress(database.url, opts.databaseVia), { max: 5 }) : database.db;
  const redisDb = await openTestRedis();
  const config = loadConfig({ ...TEST_ENV, DATABASE_URL: database.url, REDIS_URL: redisDb.url, ...opts.env });
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'test', destination: opts.logDestination });
  const producer = createRedis(redisTarget(config), 'producer');
  const queues = new Queues(producer, { retries: config.RETRY_ATTEMPTS }, queueLayout(config));
  // One registry for api and in-process workers alike: /metrics shows both sides here.
  const metrics = new ProcessMetrics({ queues: () => queues.backlogs(), evictionPolicy: () => readEvictionPolicy(producer) });
  const deps: DeliveryDeps = {
    db,
    queues,
    secrets: new SecretBox(config.ENCRYPTION_KEY),
    config,
    network: networkPolicyFromConfig(config),
    logger,
    metrics,
    lanes: new Lanes(producer),
  };
  const subscriber = createRedis(config.REDIS_URL, 'producer');
  const app = createApp(deps, { redis: producer, subscriber, metrics });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  let workers: JobWorker[] = [];
  const siblings: Server[] = [];
  const workerConnection = createRedis(redisTarget(config), 'worker');
  const system: TestSystem = {
    url,
    app,
    config,
    deps,
    call: (method, path, { baseUrl = url, ...opts } = {}) => jsonCall(baseUrl, method, path, opts),
    async createAccount(name = 'Acme') {
      const res = await system.call('POST', '/v1/accounts', { key: TEST_ADMIN_TOKEN, body: { name } });
      if (res.status !== 201) throw new Error(`account creation failed: ${res.status} ${JSON.stringify(res.body)}`);
      return { id: res.body.id, apiKey: res.body.apiKey };
    },
    async postLead(key, data) {
      const res = await system.call('POST', '/v1/leads', { key, body: { data } });
      if (res.status !== 202) throw new Error(`lead refused: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.id;
    },
    settledLead: (leadId, key) =>
      waitFor(`lead ${leadId} to settle`, async () => {
        const { body } = await system.call('GET', `/v1/leads/${leadId}`, { key });
        const all: { status: string }[] = [...body.deliveries, ...(body.actions ?? [])];
        return all.every((d) => d.status === 'succeeded' || d.status === 'failed') ? body : undefined;
      }),
    async startSiblingApi() {
      const db = createDb(config.DATABASE_URL, { max: 4 });
      const redis = createRedis(config.REDIS_URL, 'producer');
      const sub = createRedis(config.REDIS_URL, 'producer');
      const siblingQueues = new Queues(redis, { retries: config.RETRY_ATTEMPTS });
      const siblingApp = createApp({ ...deps, db, queues: siblingQueues, metrics: undefined }, { redis, subscriber: sub });
      const sibling: Server = await new Promise((resolve) => {
        const s = siblingApp.listen(0, '127.0.0.1', () => resolve(s));
      });
      siblings.push(sibling);
      return {
        url: `http://127.0.0.1:${(sibling.address() as AddressInfo).port}`,
        async stop() {
          await new Promise((r) => sibling.close(r));
          sibling.closeAllConnections?.();
          await siblingQueues.close();
          redis.disconnect();
          sub.disconnect();
          await db.$disconnect();
        },
      };
    },
    startWorkers() {
      workers = createDeliveryWorkers(deps, workerConnection, { concurrency: 8 });
    },
    async stopWorkers() {
      await Promise.all(workers.map((w) => w.close()));
      workers = [];
    },
    expectNoBrokenDeliveries: () => expectNoBrokenDeliveries({ db: database.db, redisUrl: redisDb.url, sweepMax: config.SWEEP_MAX }),
    async stop() {
      await system.stopWorkers();
      siblings.forEach((s) => s.closeAllConnections?.());
      await new Promise((r) => server.close(r));
      server.closeAllConnections?.();
      await deps.queues.close();
      producer.disconnect();
      subscriber.disconnect();
      workerConnection.disconnect();
      await redisDb.close();
      if (db !== database.db) await db.$disconnect();
      await database.drop();
    },
  };
  if (opts.workers !== false) system.startWorkers();
  return system;
}

function viaAddress(databaseUrl: string, via: { host: string; port: number }): string {
  const url = new URL(databaseUrl);
  url.hostname = via.host;
  url.port = String(via.port);
  return url.toString();
}

/** What `useSystemWithSink` gives a describe block; filled in by its beforeAll. */
export interface SystemWithSink {
  system: TestSystem;
  sink: CustomSink;
  /** The API key of an account created for the block. */
  apiKey: string;
  /** Adds a custom destination of that account delivering to the sink's `/leads`; returns its id. */
  addSinkDestination(config?: Record<string, unknown>): Promise<string>;
}

/**
 * The set-up most api tests share: a system, a custom CRM sink and one account, started before
 * the block's tests and, after them, checked for broken deliveries and stopped.
 */
export function useSystemWithSink(opts: Parameters<typeof startSystem>[0] = {}): SystemWithSink {
  const context = {} as SystemWithSink;
  beforeAll(async () => {
    context.system = await startSystem(opts);
    context.sink = createCustomSink();
    await context.sink.start();
    context.apiKey = (await context.system.createAccount()).apiKey;
    context.addSinkDestination = async (config = {}) => {
      const res = await context.system.call('POST', '/v1/destinations', {
        key: context.apiKey,
        body: { name: 'sink', type: 'custom', config: { url: `${context.sink.url}/leads`, ...config } },
      });
      if (res.status !== 201) throw new Error(`destination creation failed: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.id;
    };
  });
  afterAll(async () => {
    try {
      await context.system?.expectNoBrokenDeliveries();
    } finally {
      await context.system?.stop();
      await context.sink?.stop();
    }
  });
  return context;
}
