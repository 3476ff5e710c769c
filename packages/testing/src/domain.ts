import { createLogger, loadConfig } from '@crm-push/config';
import { deliveryDepsOf, type DeliveryDeps } from '@crm-push/delivery';
import { createRedis, Queues } from '@crm-push/queue';
import { createTestDatabase, type TestDatabase } from './databases';
import { openTestRedis } from './redis';

export interface TestDomain {
  /** The delivery domain's dependencies, as a process builds them, on this file's database and Redis index. */
  deps: DeliveryDeps;
  database: TestDatabase;
  close(): Promise<void>;
}

/**
 * The delivery domain without any process around it, for tests that call its functions directly
 * (packages/delivery, packages/sources). No worker runs: enqueued jobs wait in Redis.
 */
async function openTestDomain(env: Record<string, string> = {}): Promise<TestDomain> {
  const database = await createTestDatabase();
  const redis = await openTestRedis();
  const config = loadConfig({ DATABASE_URL: database.url, REDIS_URL: redis.url, LOG_LEVEL: 'silent', ...env });
  const producer = createRedis(config.REDIS_URL, 'producer');
  const deps = deliveryDepsOf(config, {
    db: database.db,
    queues: new Queues(producer, { retries: config.RETRY_ATTEMPTS }),
    logger: createLogger({ level: 'silent', name: 'test' }),
  });
  return {
    deps,
    database,
    async close() {
      await deps.queues.close();
      producer.disconnect();
      await redis.close();
      await database.drop();
    },
  };
}

/** openTestDomain for a describe block: opened before its tests, closed after them. */
export function useTestDomain(env: Record<string, string> = {}): TestDomain {
  const domain = {} as TestDomain;
  beforeAll(async () => {
    Object.assign(domain, await openTestDomain(env));
  });
  afterAll(async () => {
    await domain.close?.();
  });
  return domain;
}
