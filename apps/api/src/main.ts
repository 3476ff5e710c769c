import { createLogger, loadConfigOrExit } from '@crm-push/config';
import { createDb } from '@crm-push/db';
import { ProcessMetrics } from '@crm-push/metrics';
import { createRedis, queueLayout, Queues, readEvictionPolicy, redisTarget } from '@crm-push/queue';
import { deliveryDepsOf, Lanes } from '@crm-push/delivery';
import { createApp } from './app';

async function main() {
  const config = loadConfigOrExit();
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'api' });
  if (config.encryptionKeyIsDevKey) {
    logger.warn('ENCRYPTION_KEY is unset: destination credentials are encrypted with the public development key. Set ENCRYPTION_KEY in production.');
  }
  if (config.adminTokenGenerated) {
    // Printed once, to the console only, so a fresh install can be used at all.
    console.log(`ADMIN_TOKEN was not set; this run's admin token is: ${config.ADMIN_TOKEN}`);
  }
  const db = createDb(config.DATABASE_URL, { max: config.DATABASE_POOL_SIZE });
  const redis = createRedis(redisTarget(config), 'producer');
  const subscriber = createRedis(redisTarget(config), 'producer');
  const queues = new Queues(redis, { retries: config.RETRY_ATTEMPTS }, queueLayout(config));
  // The api reports ingest counters and, read from Redis at scrape time, every queue's depth.
  const metrics = new ProcessMetrics({
    queues: () => queues.backlogs(),
    evictionPolicy: () => readEvictionPolicy(redis),
    destinationStates: async () =>
      (await db.destination.findMany({ where: { deletedAt: null }, select: { id: true, healthState: true } })).map((d) => ({
        destinationId: d.id,
        state: d.healthState,
      })),
  });
  const app = createApp(deliveryDepsOf(config, { db, queues, logger, metrics, lanes: new Lanes(redis) }), { redis, subscriber, metrics });
  const server = app.listen(config.PORT, () => logger.info({ port: config.PORT }, 'api listening'));

  const shutdown = async (signal: string) => {
    logger.info({ signal }, 'api shutting down');
    server.close();
    await Promise.allSettled([queues.close(), db.$disconnect()]);
    redis.disconnect();
    subscriber.disconnect();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err) => {
  console.error(`api failed to start: ${err.message}`);
  process.exit(1);
});
