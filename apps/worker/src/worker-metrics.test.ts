import { allLeadsSettled, freePort, parsePrometheusText, sampleValue, useStack, waitFor } from '@crm-push/testing';

/**
 * The worker counts attempts, latency and outcomes, so it serves them itself on METRICS_PORT;
 * the api serves ingest counters and queue gauges. Prometheus scrapes both.
 */
describe('the worker process serves its own /metrics', () => {
  const t = useStack({ sinks: 1, api: {} });

  async function scrape(url: string) {
    const res = await fetch(url);
    expect(res.status).toBe(200);
    const families = parsePrometheusText(await res.text());
    return { families, value: (name: string, labels: Record<string, string> = {}) => sampleValue(families, name, labels) ?? 0 };
  }

  it('counts the deliveries it made, while the t.api counts the leads it took and the queues', async () => {
    const port = await freePort();
    const worker = await t.stack.startWorker({ METRICS_PORT: String(port) });
    expect(worker.logs.some((l) => l.includes('"msg":"metrics at GET /metrics"') && l.includes(`"port":${port}`))).toBe(true);
    const workerMetrics = `http://127.0.0.1:${port}/metrics`;
    const before = await scrape(workerMetrics);

    const key = (await t.api.createAccount()).apiKey;
    await t.api.addDestination(key, `${t.sink.url}/leads`);
    t.sink.script('leads', [{ status: 503 }]);
    expect((await t.api.call('POST', '/v1/leads', { key, body: { data: { email: 'w@example.com' } } })).status).toBe(202);
    await allLeadsSettled(t.stack.database, 'the lead to settle');

    const after = await waitFor('the worker to count the delivery', async () => {
      const now = await scrape(workerMetrics);
      return now.value('crm_push_deliveries_total', { destination_type: 'custom', outcome: 'succeeded' }) > 0 ? now : undefined;
    });
    const custom = { destination_type: 'custom' };
    expect(
      after.value('crm_push_deliveries_total', { ...custom, outcome: 'succeeded' }) -
        before.value('crm_push_deliveries_total', { ...custom, outcome: 'succeeded' }),
    ).toBe(1);
    expect(after.value('crm_push_delivery_retries_total', custom)).toBe(1);
    expect(after.value('crm_push_delivery_attempt_duration_seconds_count', custom)).toBe(2);
    expect(after.families.has('process_cpu_user_seconds_total')).toBe(true);
    // Queue gauges come from the t.api only, so N workers do not report the same queues N times.
    expect(after.families.get('crm_push_queue_jobs')).toBeUndefined();

    const apiMetrics = await scrape(`${t.api.url}/metrics`);
    expect(apiMetrics.value('crm_push_leads_ingested_total', { outcome: 'created' })).toBe(1);
    expect(apiMetrics.value('crm_push_queue_reachable', { queue: 'crm-deliveries' })).toBe(1);
    expect(sampleValue(apiMetrics.families, 'crm_push_deliveries_total', custom)).toBeUndefined();
    await worker.stop();
  });

  it('starts without metrics, with a warning, when its port is taken by another worker', async () => {
    const port = await freePort();
    const first = await t.stack.startWorker({ METRICS_PORT: String(port) });
    const second = await t.stack.startWorker({ METRICS_PORT: String(port) });
    expect(second.logs.some((l) => l.includes('metrics endpoint not started') && l.includes('EADDRINUSE'))).toBe(true);
    expect(second.proc.exitCode).toBeNull();
    await Promise.all([first.stop(), second.stop()]);
  });

  it('serves nothing with METRICS_PORT=0', async () => {
    const worker = await t.stack.startWorker({ METRICS_PORT: '0' });
    expect(worker.logs.some((l) => l.includes('metrics'))).toBe(false);
    expect(await worker.stop()).toBe(0);
  });
});
