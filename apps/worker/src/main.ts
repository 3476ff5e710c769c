import { createLogger, loadConfigOrExit } from '@crm-push/config';
import { createDb, SecretBox } from '@crm-push/db';
import { createRedis, Queues } from '@crm-push/queue';
import { createDeliveryWorker } from '@crm-push/delivery';

async function main() {
  const config = loadConfigOrExit();
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'worker' });
  const db = createDb(config.DATABASE_URL, { max: Math.min(config.WORKER_CONCURRENCY, 20) });
  const connection = createRedis(config.REDIS_URL, 'worker');
  const queues = new Queues(connection, { retries: config.RETRY_ATTEMPTS });
  const deps = { db, queues, secrets: new SecretBox(config.ENCRYPTION_KEY), config, logger };
  const workers = [
    createDeliveryWorker(deps, 'crm', connection, { concurrency: config.WORKER_CONCURRENCY }),
    createDeliveryWorker(deps, 'actions', connection, { concurrency: config.WORKER_CONCURRENCY }),
  ];
  logger.info({ concurrency: config.WORKER_CONCURRENCY }, 'worker started');

  // SIGTERM: stop taking jobs, let in-flight calls finish, then exit.
  const shutdown = async (signal: string) => {
    logger.info({ signal }, 'worker draining');
    await Promise.allSettled(workers.map((w) => w.close()));
    await Promise.allSettled([queues.close(), db.$disconnect()]);
    connection.disconnect();
    logger.info('worker stopped');
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err) => {
  console.error(`worker failed to start: ${err.message}`);
  process.exit(1);
});
