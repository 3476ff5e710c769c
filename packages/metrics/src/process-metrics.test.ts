import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRedis, QUEUE_NAMES, Queues } from '@crm-push/queue';
import { openTestRedis, parsePrometheusText, sampleValue } from '@crm-push/testing';
import { ProcessMetrics } from './process-metrics';
import { portOf, serveMetrics, startMetricsEndpoint } from './serve-metrics';

async function scrape(metrics: ProcessMetrics) {
  return parsePrometheusText(await metrics.scrape());
}

describe('ProcessMetrics', () => {
  it('keeps the counts of two instances apart (a registry each, not the global one)', async () => {
    const a = new ProcessMetrics({ processMetrics: false });
    const b = new ProcessMetrics({ processMetrics: false });
    a.leadIngested('created');
    a.leadIngested('created');
    a.leadIngested('duplicate');
    expect(sampleValue(await scrape(a), 'crm_push_leads_ingested_total', { outcome: 'created' })).toBe(2);
    expect(sampleValue(await scrape(a), 'crm_push_leads_ingested_total', { outcome: 'duplicate' })).toBe(1);
    // Both outcomes exist from the start, at 0.
    expect(sampleValue(await scrape(b), 'crm_push_leads_ingested_total', { outcome: 'created' })).toBe(0);
    expect(sampleValue(await scrape(b), 'crm_push_leads_ingested_total', { outcome: 'duplicate' })).toBe(0);
  });

  it('counts a call that succeeded as a finished delivery and observes its latency', async () => {
    const m = new ProcessMetrics({ processMetrics: false });
    m.deliveryAttempted({ destinationType: 'hubspot', outcome: 'succeeded', durationMs: 120 });
    const text = await scrape(m);
    expect(sampleValue(text, 'crm_push_deliveries_total', { destination_type: 'hubspot', outcome: 'succeeded' })).toBe(1);
    expect(sampleValue(text, 'crm_push_delivery_attempt_duration_seconds_count', { destination_type: 'hubspot' })).toBe(1);
    expect(sampleValue(text, 'crm_push_delivery_attempt_duration_seconds_sum', { destination_type: 'hubspot' })).toBeCloseTo(0.12);
    expect(sampleValue(text, 'crm_push_delivery_attempt_duration_seconds_bucket', { destination_type: 'hubspot', le: '0.1' })).toBe(0);
    expect(sampleValue(text, 'crm_push_delivery_attempt_duration_seconds_bucket', { destination_type: 'hubspot', le: '0.25' })).toBe(1);
  });

  it('counts batch calls apart from the records they carried, by how each record fared', async () => {
    const m = new ProcessMetrics({ processMetrics: false });
    m.batchCalled({ destinationType: 'hubspot', succeeded: 97, failed: 3 });
    m.batchCalled({ destinationType: 'hubspot', succeeded: 40, failed: 0 });
    const text = await scrape(m);
    expect(sampleValue(text, 'crm_push_batch_calls_total', { destination_type: 'hubspot' })).toBe(2);
    expect(sampleValue(text, 'crm_push_batch_records_total', { destination_type: 'hubspot', outcome: 'succeeded' })).toBe(137);
    expect(sampleValue(text, 'crm_push_batch_records_total', { destination_type: 'hubspot', outcome: 'failed' })).toBe(3);
  });

  it('counts a retrying call as a retry, not as a finished delivery', async () => {
    const m = new ProcessMetrics({ processMetrics: false });
    m.deliveryAttempted({ destinationType: 'custom', outcome: 'retrying', durationMs: 10 });
    const text = await scrape(m);
    expect(sampleValue(text, 'crm_push_delivery_retries_total', { destination_type: 'custom' })).toBe(1);
    expect(sampleValue(text, 'crm_push_deliveries_total', { destination_type: 'custom' })).toBeUndefined();
    expect(sampleValue(text, 'crm_push_delivery_attempt_duration_seconds_count', { destination_type: 'custom' })).toBe(1);
  });

  it('labels rounds that failed for good and rounds left to the sweep apart', async () => {
    const m = new ProcessMetrics({ processMetrics: false });
    m.deliveryAttempted({ destinationType: 'salesforce', outcome: 'failed-will-sweep', durationMs: 5 });
    m.deliveryAttempted({ destinationType: 'salesforce', outcome: 'failed' }); // e.g. MAPPING_ERROR: no call made
    const text = await scrape(m);
    expect(sampleValue(text, 'crm_push_deliveries_total', { destination_type: 'salesforce', outcome: 'failed_will_sweep' })).toBe(1);
    expect(sampleValue(text, 'crm_push_deliveries_total', { destination_type: 'salesforce', outcome: 'failed' })).toBe(1);
    // Only the call that was made has a latency.
    expect(sampleValue(text, 'crm_push_delivery_attempt_duration_seconds_count', { destination_type: 'salesforce' })).toBe(1);
  });

  it('counts sweeps, what they re-queued, and re-queues by reason', async () => {
    const m = new ProcessMetrics({ processMetrics: false });
    m.sweepCompleted({ requeued: 3 });
    m.sweepCompleted({ requeued: 0 });
    m.deliveriesRequeued('manual', 2);
    const text = await scrape(m);
    expect(sampleValue(text, 'crm_push_sweeps_total')).toBe(2);
    expect(sampleValue(text, 'crm_push_sweep_requeued_deliveries_total')).toBe(3);
    expect(sampleValue(text, 'crm_push_deliveries_requeued_total', { reason: 'manual' })).toBe(2);
  });

  it('writes valid exposition text, Node process metrics included, with a HELP and TYPE per family', async () => {
    const m = new ProcessMetrics();
    m.deliveryAttempted({ destinationType: 'we"ird\\type\n', outcome: 'succeeded', durationMs: 1 });
    const families = await scrape(m);
    expect(families.get('process_cpu_user_seconds_total')?.type).toBe('counter');
    expect(families.get('crm_push_delivery_attempt_duration_seconds')?.type).toBe('histogram');
    // Label values are escaped and read back intact.
    expect(sampleValue(families, 'crm_push_deliveries_total', { destination_type: 'we"ird\\type\n' })).toBe(1);
    for (const f of families.values()) {
      if (f.name.startsWith('crm_push_')) {
        expect(f.help).not.toBe('');
        expect(f.type).not.toBe('untyped');
      }
    }
  });
});

describe('queue gauges', () => {
  let redis: Awaited<ReturnType<typeof openTestRedis>>;
  beforeAll(async () => {
    redis = await openTestRedis();
  });
  afterAll(async () => {
    await redis.close();
  });

  it('reads each queue depth by state and the age of the oldest waiting job from Redis at scrape time', async () => {
    const connection = createRedis(redis.url, 'producer');
    const queues = new Queues(connection, { retries: 0 });
    const crm = QUEUE_NAMES.crm;
    try {
      const m = new ProcessMetrics({ processMetrics: false, queues: () => queues.backlogs() });
      await queues.byKey.crm.add('crm', {}, { timestamp: Date.now() - 90_000 }); // added 90 s ago
      await queues.byKey.crm.add('crm', {});
      await queues.byKey.crm.add('crm', {}, { delay: 60_000 });
      let text = await scrape(m);
      expect(sampleValue(text, 'crm_push_queue_jobs', { queue: crm, state: 'waiting' })).toBe(2);
      expect(sampleValue(text, 'crm_push_queue_jobs', { queue: crm, state: 'delayed' })).toBe(1);
      expect(sampleValue(text, 'crm_push_queue_jobs', { queue: crm, state: 'active' })).toBe(0);
      expect(sampleValue(text, 'crm_push_queue_oldest_waiting_job_age_seconds', { queue: crm })).toBeGreaterThanOrEqual(90);
      expect(sampleValue(text, 'crm_push_queue_oldest_waiting_job_age_seconds', { queue: QUEUE_NAMES.action })).toBe(0);
      expect(sampleValue(text, 'crm_push_queue_reachable', { queue: crm })).toBe(1);

      await queues.byKey.crm.drain(true);
      text = await scrape(m);
      expect(sampleValue(text, 'crm_push_queue_jobs', { queue: crm, state: 'waiting' })).toBe(0);
      expect(sampleValue(text, 'crm_push_queue_oldest_waiting_job_age_seconds', { queue: crm })).toBe(0);
    } finally {
      await queues.close();
      connection.disconnect();
    }
  });

  it('reports a queue Redis cannot answer for as unreachable instead of failing the scrape', async () => {
    const connection = createRedis(redis.url, 'producer');
    const queues = new Queues(connection, { retries: 0 });
    for (const queue of queues.all()) queue.on('error', () => undefined);
    try {
      const m = new ProcessMetrics({ processMetrics: false, queues: () => queues.backlogs() });
      await queues.byKey.crm.waitUntilReady();
      connection.disconnect(); // Redis gone: the producer connection fails fast
      const text = await scrape(m);
      expect(sampleValue(text, 'crm_push_queue_reachable', { queue: QUEUE_NAMES.crm })).toBe(0);
      expect(sampleValue(text, 'crm_push_queue_jobs', { queue: QUEUE_NAMES.crm })).toBeUndefined();
      expect(sampleValue(text, 'crm_push_leads_ingested_total', { outcome: 'created' })).toBe(0);
    } finally {
      await queues.close().catch(() => undefined);
    }
  });
});

describe('the worker metrics endpoint', () => {
  it('serves GET /metrics as Prometheus text and 404 elsewhere', async () => {
    const m = new ProcessMetrics({ processMetrics: false });
    m.leadIngested('created');
    const server = await serveMetrics(m, 0, '127.0.0.1');
    try {
      const res = await fetch(`http://127.0.0.1:${portOf(server)}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/plain');
      expect(sampleValue(parsePrometheusText(await res.text()), 'crm_push_leads_ingested_total', { outcome: 'created' })).toBe(1);
      expect((await fetch(`http://127.0.0.1:${portOf(server)}/`)).status).toBe(404);
      expect((await fetch(`http://127.0.0.1:${portOf(server)}/metrics`, { method: 'POST' })).status).toBe(404);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('is off with METRICS_PORT 0', async () => {
    const log = recordingLog();
    expect(await startMetricsEndpoint(new ProcessMetrics({ processMetrics: false }), 0, log)).toBeUndefined();
    expect(log.lines).toEqual([]);
  });

  it('warns and carries on without metrics when the port is taken', async () => {
    const taken = await listening();
    const log = recordingLog();
    try {
      const port = (taken.address() as AddressInfo).port;
      expect(await startMetricsEndpoint(new ProcessMetrics({ processMetrics: false }), port, log)).toBeUndefined();
      expect(log.lines).toEqual([
        expect.objectContaining({ level: 'warn', obj: expect.objectContaining({ port, err: expect.stringContaining('EADDRINUSE') }) }),
      ]);
    } finally {
      await new Promise((r) => taken.close(r));
    }
  });

  it('logs where it listens when it starts', async () => {
    const log = recordingLog();
    const free = await closedPort();
    const server = await startMetricsEndpoint(new ProcessMetrics({ processMetrics: false }), free, log);
    try {
      expect(server).toBeDefined();
      expect(log.lines).toEqual([expect.objectContaining({ level: 'info', obj: { port: free } })]);
    } finally {
      await new Promise((r) => server!.close(r));
    }
  });
});

function recordingLog() {
  const lines: { level: string; obj: object; msg: string }[] = [];
  return {
    lines,
    info: (obj: object, msg: string) => void lines.push({ level: 'info', obj, msg }),
    warn: (obj: object, msg: string) => void lines.push({ level: 'warn', obj, msg }),
  };
}

function listening(): Promise<Server> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '0.0.0.0', () => resolve(s));
  });
}

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const s = await listening();
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}
