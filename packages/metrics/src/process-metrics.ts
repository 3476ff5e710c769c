import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { registerEvictionGauge } from './eviction-gauge';
import { registerQueueGauges, type QueueSource } from './queue-gauges';

/** How one delivery call (or a failure before any call) ended; mirrors the processor's verdicts. */
export type AttemptOutcome = 'succeeded' | 'retrying' | 'failed' | 'failed-will-sweep';

export interface MetricsOptions {
  /**
   * Queues whose depth and oldest waiting job are read from Redis at scrape time. Give them in
   * ONE process type only (the api), so N workers do not report the same queues N times.
   */
  queues?: QueueSource;
  /** Reads Redis's maxmemory-policy at scrape time (give it in the api only, like `queues`). */
  evictionPolicy?: () => Promise<string>;
  /**
   * Each destination's health state, read (from PostgreSQL) at scrape time. Give it in the api
   * only, like `queues`.
   */
  destinationStates?: () => Promise<{ destinationId: string; state: string }[]>;
  /** Node's process metrics (CPU, memory, event loop lag, GC). @defaultValue true */
  processMetrics?: boolean;
}

/** Seconds; CRM calls are usually 50 ms – 2 s, timeouts go up to 30 s. */
const LATENCY_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * The Prometheus metrics of one process, on a registry of its own (not prom-client's global
 * one), so a test can run several systems in one process. Structurally implements
 * DeliveryMetrics of @crm-push/delivery; the domain calls it as `deps.metrics?.…`.
 */
export class ProcessMetrics {
  readonly registry = new Registry();

  private readonly leads = new Counter({
    name: 'crm_push_leads_ingested_total',
    help: 'Leads received by POST /v1/leads: created, or duplicate (same Idempotency-Key or source + externalId).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  private readonly deliveries = new Counter({
    name: 'crm_push_deliveries_total',
    help: 'Rounds of delivery attempts that ended: succeeded, failed (for good) or failed_will_sweep (the sweep takes it again).',
    labelNames: ['destination_type', 'outcome'] as const,
    registers: [this.registry],
  });

  private readonly retries = new Counter({
    name: 'crm_push_delivery_retries_total',
    help: 'Failed calls that BullMQ retries after a backoff (5xx, 429, timeouts, refused connections).',
    labelNames: ['destination_type'] as const,
    registers: [this.registry],
  });

  private readonly latency = new Histogram({
    name: 'crm_push_delivery_attempt_duration_seconds',
    help: 'Duration of each outbound call to a destination, successful or not.',
    labelNames: ['destination_type'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  private readonly sweeps = new Counter({
    name: 'crm_push_sweeps_total',
    help: 'Completed runs of the scheduled sweep.',
    registers: [this.registry],
  });

  private readonly sweepRequeued = new Counter({
    name: 'crm_push_sweep_requeued_deliveries_total',
    help: 'Deliveries the scheduled sweep re-queued (failed ones due again, and queued ones whose job was missing).',
    registers: [this.registry],
  });

  private readonly requeued = new Counter({
    name: 'crm_push_deliveries_requeued_total',
    help: 'Deliveries re-queued outside the automatic retries, by reason (e.g. manual from the admin panel).',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  private readonly laneWaits = new Counter({
    name: 'crm_push_lane_waits_total',
    help: 'Deliveries put back to wait by their lane, by reason: rate (over budget), concurrency, held (the vendor said wait), paused.',
    labelNames: ['destination_type', 'reason'] as const,
    registers: [this.registry],
  });

  private readonly batchCalls = new Counter({
    name: 'crm_push_batch_calls_total',
    help: 'Calls to a vendor batch API (HubSpot batch, Salesforce Collections), each carrying many deliveries.',
    labelNames: ['destination_type'] as const,
    registers: [this.registry],
  });

  private readonly batchRecords = new Counter({
    name: 'crm_push_batch_records_total',
    help: 'Records sent in batch calls, by how each fared in its call: succeeded, or failed (refused alone, or with the whole call).',
    labelNames: ['destination_type', 'outcome'] as const,
    registers: [this.registry],
  });

  constructor(opts: MetricsOptions = {}) {
    // Zero-valued series from the start: a rate() over a counter that appears late misses its first step.
    this.leads.inc({ outcome: 'created' }, 0);
    this.leads.inc({ outcome: 'duplicate' }, 0);
    if (opts.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    if (opts.queues) registerQueueGauges(this.registry, opts.queues);
    if (opts.evictionPolicy) registerEvictionGauge(this.registry, opts.evictionPolicy);
    if (opts.destinationStates) registerDestinationStateGauge(this.registry, opts.destinationStates);
  }

  laneWaited(facts: { destinationType: string; reason: string }): void {
    this.laneWaits.labels(facts.destinationType, facts.reason).inc();
  }

  leadIngested(outcome: 'created' | 'duplicate'): void {
    this.leads.labels(outcome).inc();
  }

  /** One call to a destination (durationMs), or a failure before any call (durationMs omitted). */
  deliveryAttempted(facts: { destinationType: string; outcome: AttemptOutcome; durationMs?: number }): void {
    const type = facts.destinationType;
    if (facts.durationMs !== undefined) this.latency.labels(type).observe(facts.durationMs / 1000);
    if (facts.outcome === 'retrying') this.retries.labels(type).inc();
    else this.deliveries.labels(type, facts.outcome.replace(/-/g, '_')).inc();
  }

  /** Calls and records apart: records per call is what batching buys. */
  batchCalled(facts: { destinationType: string; succeeded: number; failed: number }): void {
    const type = facts.destinationType;
    this.batchCalls.labels(type).inc();
    this.batchRecords.labels(type, 'succeeded').inc(facts.succeeded);
    this.batchRecords.labels(type, 'failed').inc(facts.failed);
  }

  sweepCompleted(facts: { requeued: number }): void {
    this.sweeps.inc();
    this.sweepRequeued.inc(facts.requeued);
  }

  deliveriesRequeued(reason: string, count: number): void {
    this.requeued.labels(reason).inc(count);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The exposition text; queue gauges are read from Redis now. */
  scrape(): Promise<string> {
    return this.registry.metrics();
  }
}

const DESTINATION_STATES = ['active', 'throttled', 'paused'] as const;

/** 1 for the state each destination is in, 0 for the others (so alerts can match on `== 1`). */
function registerDestinationStateGauge(registry: Registry, read: NonNullable<MetricsOptions['destinationStates']>): void {
  const gauge: Gauge<'destination' | 'state'> = new Gauge({
    name: 'crm_push_destination_state',
    help: 'Health state of each destination: 1 for its current state (active, throttled, paused), 0 for the others.',
    labelNames: ['destination', 'state'] as const,
    registers: [registry],
    async collect() {
      gauge.reset();
      for (const { destinationId, state } of await read()) {
        for (const s of DESTINATION_STATES) gauge.set({ destination: destinationId, state: s }, s === state ? 1 : 0);
      }
    },
  });
}
