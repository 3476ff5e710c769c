import { createLogger, loadConfigOrExit } from '@crm-push/config';
import { createDb } from '@crm-push/db';
import { ProcessMetrics, startMetricsEndpoint } from '@crm-push/metrics';
import { createRedis, queueLayout, Queues, redisTarget } from '@crm-push/queue';
import { createDeliveryWorkers, createIngester, createMaintenanceWorker, deliveryDepsOf, Lanes } from '@crm-push/delivery';
import { createSourceWorker } from '@crm-push/sources';

async function main() {
  const config = loadConfigOrExit();
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'worker' });
  const db = createDb(config.DATABASE_URL, { max: config.DATABASE_POOL_SIZE });
  const connection = createRedis(redisTarget(config), 'worker');
  const queues = new Queues(connection, { retries: config.RETRY_ATTEMPTS }, queueLayout(config));
  // Attempts, latency and outcomes are counted here, so each worker serves its own /metrics (METRICS_PORT).
  const metrics = new ProcessMetrics();
  // Lanes keep their state on the same Redis every worker sees, over a connection of their own:
  // BullMQ defines its ~40 Lua scripts on the queue connection, and ioredis copies every defined
  // script onto each MULTI it builds, which made the lanes' four MULTIs per delivery the worker's
  // top self-time entry (see the performance section of the README).
  const laneConnection = createRedis(redisTarget(config), 'worker');
  const deps = deliveryDepsOf(config, { db, queues, logger, metrics, lanes: new Lanes(laneConnection) });
  const workerOpts = { concurrency: config.WORKER_CONCURRENCY, lockDurationMs: config.WORKER_LOCK_MS, stalledIntervalMs: config.WORKER_STALLED_CHECK_MS };
  // Every shard of the CRM and action queues, so any worker can take any destination's jobs.
  const workers = [
    ...createDeliveryWorkers(deps, connection, workerOpts),
    // Leads a platform only announced (Meta Lead Ads): fetched, then ingested like any other.
    createSourceWorker({ ...deps, ingest: createIngester(deps) }, connection, { concurrency: config.WORKER_CONCURRENCY }),
  ];
  // Every worker (re)creates the sweep's scheduler, so a Redis flush cannot lose the sweep.
  const maintenance = await createMaintenanceWorker(deps, connection);
  const metricsServer = await startMetricsEndpoint(metrics, config.METRICS_PORT, logger);

  // SIGTERM: stop taking jobs, let in-flight calls finish (and be recorded), then exit.
  const shutdown = async (signal: string) => {
    logger.info({ signal }, 'worker draining');
    metricsServer?.close();
    await Promise.allSettled([...workers.map((w) => w.close()), maintenance.close()]);
    await Promise.allSettled([queues.close(), db.$disconnect()]);
    connection.disconnect();
    laneConnection.disconnect();
    logger.info('worker stopped');
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  // Only once the handlers are in place: whoever waits for this line may signal at once.
  logger.info({ concurrency: config.WORKER_CONCURRENCY, queues: workers.length, sweepEveryMs: config.SWEEP_EVERY_MS }, 'worker started');
}

main().catch((err) => {
  console.error(`worker failed to start: ${err.message}`);
  process.exit(1);
});
