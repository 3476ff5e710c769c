import { networkPolicyFromConfig } from '@crm-push/outbound';
import { createLogger, loadConfig } from '@crm-push/config';
import { SecretBox } from '@crm-push/db';
import { createRedis, Queues, type RedisConnection } from '@crm-push/queue';
import { createTestDatabase, openTestRedis, type TestDatabase } from '@crm-push/testing';

import type { DeliveryDeps } from './deps';
import { createIngester } from './ingest-lead';

describe('the shared lead insert', () => {
  let database: TestDatabase;
  let redisDb: Awaited<ReturnType<typeof openTestRedis>>;
  let producer: RedisConnection;
  let deps: DeliveryDeps;

  beforeAll(async () => {
    database = await createTestDatabase();
    redisDb = await openTestRedis();
    const config = loadConfig({ DATABASE_URL: database.url, REDIS_URL: redisDb.url, LOG_LEVEL: 'silent' });
    producer = createRedis(config.REDIS_URL, 'producer');
    deps = {
      db: database.db,
      queues: new Queues(producer, { retries: 0 }),
      secrets: new SecretBox(config.ENCRYPTION_KEY),
      config,
      logger: createLogger({ level: 'silent', name: 'test' }),
      network: networkPolicyFromConfig(config),
    };
  });
  afterAll(async () => {
    await deps?.queues.close();
    producer?.disconnect();
    await redisDb?.close();
    await database?.drop();
  });

  it('fails only the lead PostgreSQL refuses when it shares a statement with good leads of another account', async () => {
    const [hostile, bystander] = await Promise.all(['Hostile', 'Bystander'].map((name) => deps.db.account.create({ data: { name } })));
    const ingest = createIngester(deps);
    // Past the api's own checks (a caller of the domain, a stored value read back): the statement itself fails.
    const bad = ingest(hostile.id, { data: { x: 'a\u0000b' } });
    const good = Array.from({ length: 50 }, (_, i) => ingest(bystander.id, { data: { email: `good${i}@example.com` } }));
    const [badResult, ...goodResults] = await Promise.allSettled([bad, ...good]);
    expect(badResult.status).toBe('rejected');
    expect(goodResults.map((r) => r.status)).toEqual(goodResults.map(() => 'fulfilled'));
    expect(await deps.db.lead.count({ where: { accountId: bystander.id } })).toBe(50);
    expect(await deps.db.lead.count({ where: { accountId: hostile.id } })).toBe(0);
  });
});
