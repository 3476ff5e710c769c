import { withTimeout } from '@crm-push/config';
import { Gauge, type Registry } from 'prom-client';

const READ_TIMEOUT_MS = 2000;

/**
 * crm_push_redis_evicting{policy}: 1 when Redis's maxmemory-policy can evict BullMQ's keys
 * (anything but noeviction), 0 when it cannot; no sample while Redis does not answer. Read at
 * scrape time, so a policy switched at run time shows at the next scrape.
 */
export function registerEvictionGauge(registry: Registry, readPolicy: () => Promise<string>): void {
  const gauge = new Gauge({
    name: 'crm_push_redis_evicting',
    help: "1 when Redis's maxmemory-policy (the label) can evict queued jobs; BullMQ needs noeviction (0).",
    labelNames: ['policy'] as const,
    registers: [registry],
    async collect() {
      gauge.reset();
      try {
        const policy = await withTimeout(readPolicy(), READ_TIMEOUT_MS, 'timed out reading Redis');
        gauge.labels(policy).set(policy === 'noeviction' ? 0 : 1);
      } catch {
        // Redis unreachable: crm_push_queue_reachable says so.
      }
    },
  });
}
