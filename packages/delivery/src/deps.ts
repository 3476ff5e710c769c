import type { Config } from '@crm-push/config';
import { SecretBox, type Db } from '@crm-push/db';
import { networkPolicyFromConfig, type NetworkPolicy } from '@crm-push/outbound';
import type { Queues } from '@crm-push/queue';
import type { Logger } from 'pino';
import type { Lanes, WaitReason } from './lanes';

/** What the delivery domain needs from its process; passed explicitly, no container. */
export interface DeliveryDeps {
  db: Db;
  queues: Queues;
  secrets: SecretBox;
  config: Config;
  /** Where outbound calls may go; built once per process from ALLOW_PRIVATE_DESTINATIONS (networkPolicyFromConfig). */
  network: NetworkPolicy;
  logger: Logger;
  /** Prometheus counters of this process (@crm-push/metrics); absent in tools and most tests. */
  metrics?: DeliveryMetrics;
  /** Per-destination flow control (./lanes); absent, deliveries go unpaced (tools, some tests). */
  lanes?: Lanes;
}

/**
 * The domain's dependencies as a process builds them: the secrets and the network policy follow
 * from its configuration (ENCRYPTION_KEY, ALLOW_PRIVATE_DESTINATIONS); the rest is the process's own.
 */
export function deliveryDepsOf(config: Config, own: Omit<DeliveryDeps, 'config' | 'secrets' | 'network'>): DeliveryDeps {
  return { ...own, config, secrets: new SecretBox(config.ENCRYPTION_KEY), network: networkPolicyFromConfig(config) };
}

/** What the domain reports to the process's metrics. */
export interface DeliveryMetrics {
  leadIngested(outcome: 'created' | 'duplicate'): void;
  /** One call to a destination (durationMs), or a failure before any call (durationMs omitted). */
  deliveryAttempted(facts: { destinationType: string; outcome: 'succeeded' | 'retrying' | 'failed' | 'failed-will-sweep'; durationMs?: number }): void;
  /**
   * One batch call and what became of the records in it: `succeeded`, or `failed` (refused alone,
   * or with the whole call). Each delivery is also reported by deliveryAttempted.
   */
  batchCalled?(facts: { destinationType: string; succeeded: number; failed: number }): void;
  sweepCompleted(facts: { requeued: number }): void;
  deliveriesRequeued(reason: string, count: number): void;
  /** A delivery waited for its lane (budget, concurrency, a vendor's hold, a pause). */
  laneWaited?(facts: { destinationType: string; reason: WaitReason }): void;
}
