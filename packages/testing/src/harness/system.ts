import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createLogger, loadConfig, type Config } from '@crm-push/config';
import { createDb } from '@crm-push/db';
import { createDeliveryWorkers, deliveryDepsOf, Lanes, type DeliveryDeps } from '@crm-push/delivery';
import { ProcessMetrics } from '@crm-push/metrics';
import { createRedis, queueLayout, Queues, readEvictionPolicy, redisTarget, type JobWorker, type RedisConnection } from '@crm-push/queue';
import { createTestDatabase } from '../databases';
import { expectNoBrokenDeliveries } from '../delivery-invariant';
import { openTestRedis } from '../redis';
import { apiClient, type ApiClient } from './api-client';

export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789';

/** Short delays so retry tests take milliseconds; private destinations for local fakes. */
const TEST_ENV = {
  ADMIN_TOKEN: TEST_ADMIN_TOKEN,
  ALLOW_PRIVATE_DESTINATIONS: 'true',
  RETRY_BASE_MS: '40',
  RETRY_MAX_MS: '400',
  LOG_LEVEL: 'silent',
};

/** What an api app is built from besides the delivery domain (the api's AppOptions). */
export interface AppConnections {
  redis: RedisConnection;
  subscriber?: RedisConnection;
  metrics?: ProcessMetrics;
}

/** An HTTP app that listens like Express does. */
export interface ListeningApp {
  listen(port: number, host: string, ready: () => void): Server;
}

/** The api's app factory (apps/api's createApp), passed in so this package does not depend on the app. */
export type AppFactory<App extends ListeningApp> = (deps: DeliveryDeps, connections: AppConnections) => App;

export interface SystemOptions {
  env?: Record<string, string>;
  workers?: boolean;
  logDestination?: { write(line: string): void };
  /** Reach PostgreSQL through this address (a fault-injecting proxy) instead of directly. */
  databaseVia?: { host: string; port: number };
}

export interface TestSystem<App extends ListeningApp = ListeningApp> extends ApiClient {
  /** The app itself, for tests that read its routes. */
  app: App;
  config: Config;
  deps: DeliveryDeps;
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
export async function startSystem<App extends ListeningApp>(createApp: AppFactory<App>, opts: SystemOptions = {}): Promise<TestSystem<App>> {
  const database = await createTestDatabase();
  const db = opts.databaseVia ? createDb(viaAddress(database.url, opts.databaseVia), { max: 5 }) : database.db;
  const redisDb = await openTestRedis();
  const config = loadConfig({ ...TEST_ENV, DATABASE_URL: database.url, REDIS_URL: redisDb.url, ...opts.env });
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'test', destination: opts.logDestination });
  const producer = createRedis(redisTarget(config), 'producer');
  const queues = new Queues(producer, { retries: config.RETRY_ATTEMPTS }, queueLayout(config));
  // One registry for api and in-process workers alike: /metrics shows both sides here.
  const metrics = new ProcessMetrics({ queues: () => queues.backlogs(), evictionPolicy: () => readEvictionPolicy(producer) });
  const deps = deliveryDepsOf(config, { db, queues, logger, metrics, lanes: new Lanes(producer) });
  const subscriber = createRedis(config.REDIS_URL, 'producer');
  const app = createApp(deps, { redis: producer, subscriber, metrics });
  const server = await listen(app);

  let workers: JobWorker[] = [];
  const siblings: Server[] = [];
  const workerConnection = createRedis(redisTarget(config), 'worker');
  const system: TestSystem<App> = {
    ...apiClient(urlOf(server), TEST_ADMIN_TOKEN),
    app,
    config,
    deps,
    async startSiblingApi() {
      const db = createDb(config.DATABASE_URL, { max: 4 });
      const redis = createRedis(config.REDIS_URL, 'producer');
      const sub = createRedis(config.REDIS_URL, 'producer');
      const siblingQueues = new Queues(redis, { retries: config.RETRY_ATTEMPTS });
      const sibling = await listen(createApp({ ...deps, db, queues: siblingQueues, metrics: undefined }, { redis, subscriber: sub }));
      siblings.push(sibling);
      return {
        url: urlOf(sibling),
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
    expectNoBrokenDeliveries: () => expectNoBrokenDeliveries({ db: database.db, redis: redisDb.url, sweepMax: config.SWEEP_MAX }),
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

function listen(app: ListeningApp): Promise<Server> {
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => resolve(server));
  });
}

const urlOf = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

function viaAddress(databaseUrl: string, via: { host: string; port: number }): string {
  const url = new URL(databaseUrl);
  url.hostname = via.host;
  url.port = String(via.port);
  return url.toString();
}
