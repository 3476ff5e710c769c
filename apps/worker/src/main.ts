import { networkPolicyFromConfig } from '@crm-push/outbound';
import { createLogger, loadConfigOrExit } from '@crm-push/config';
import { createDb, SecretBox } from '@crm-push/db';
import { ProcessMetrics, startMetricsEndpoint } from '@crm-push/metrics';
import { createRedis, Queues } from '@crm-push/queue';
import { createDeliveryWorker, createMaintenanceWorker } from '@crm-push/delivery';

async function main() {
  const config = loadConfigOrExit();
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'worker' });
  const db = createDb(config.DATABASE_URL, { max: Math.min(config.WORKER_CONCURRENCY, 20) + 2 });
  const connection = createRedis(config.REDIS_URL, 'worker');
  const queues = new Queues(connection, { retries: config.RETRY_ATTEMPTS });
  // Attempts, latency and outcomes are counted here, so each worker serves its own /metrics (METRICS_PORT).
  const metrics = new ProcessMetrics();
  const deps = { db, queues, secrets: new SecretBox(config.ENCRYPTION_KEY), config, network: networkPolicyFromConfig(config), logger, metrics };
  const workerOpts = { concurrency: config.WORKER_CONCURRENCY, lockDurationMs: config.WORKER_LOCK_MS, stalledIntervalMs: config.WORKER_STALLED_CHECK_MS };
  const workers = [createDeliveryWorker(deps, 'crm', connection, workerOpts), createDeliveryWorker(deps, 'actions', connection, workerOpts)];
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
    logger.info('worker stopped');
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  // Only once the handlers are in place: whoever waits for this line may signal at once.
  logger.info({ concurrency: config.WORKER_CONCURRENCY, sweepEveryMs: config.SWEEP_EVERY_MS }, 'worker started');
}

main().catch((err) => {
  console.error(`worker failed to start: ${err.message}`);
  process.exit(1);
});
