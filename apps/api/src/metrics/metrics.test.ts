import { createCustomSink, parsePrometheusText, sampleValue, waitFor, type CustomSink } from '@crm-push/testing';
import { startSystem, type TestSystem } from '../test-support/system';

describe('GET /metrics', () => {
  let system: TestSystem;
  let sink: CustomSink;
  let apiKey: string;

  beforeAll(async () => {
    system = await startSystem();
    sink = createCustomSink();
    await sink.start();
    ({ apiKey } = await system.createAccount());
    await system.call('POST', '/v1/destinations', { key: apiKey, body: { name: 'sink', type: 'custom', config: { url: `${sink.url}/leads` } } });
  });
  afterAll(async () => {
    await sink.stop();
    await system.stop();
  });

  async function scrape() {
    const res = await fetch(`${system.url}/metrics`); // no credentials: Prometheus sends none
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const families = parsePrometheusText(await res.text());
    return (name: string, labels: Record<string, string> = {}) => sampleValue(families, name, labels) ?? 0;
  }

  async function settle(leadId: string) {
    await waitFor(`lead ${leadId} to settle`, async () => (await system.call('GET', `/v1/leads/${leadId}`, { key: apiKey })).body.status !== 'pending');
  }

  it('moves the ingest, delivery, retry and latency figures as leads flow', async () => {
    const before = await scrape();
    const custom = { destination_type: 'custom' };

    const first = await system.call('POST', '/v1/leads', { key: apiKey, body: { data: { email: 'a@example.com' } }, headers: { 'idempotency-key': 'k-1' } });
    const again = await system.call('POST', '/v1/leads', { key: apiKey, body: { data: { email: 'a@example.com' } }, headers: { 'idempotency-key': 'k-1' } });
    expect([first.status, again.status]).toEqual([202, 200]);
    sink.script('leads', [{ status: 503 }]);
    const retried = await system.call('POST', '/v1/leads', { key: apiKey, body: { data: { email: 'b@example.com' } } });
    await settle(first.body.id);
    await settle(retried.body.id);

    const after = await scrape();
    const moved = (name: string, labels: Record<string, string> = {}) => after(name, labels) - before(name, labels);
    expect(moved('crm_push_leads_ingested_total', { outcome: 'created' })).toBe(2);
    expect(moved('crm_push_leads_ingested_total', { outcome: 'duplicate' })).toBe(1);
    expect(moved('crm_push_deliveries_total', { ...custom, outcome: 'succeeded' })).toBe(2);
    expect(moved('crm_push_delivery_retries_total', custom)).toBe(1);
    expect(moved('crm_push_delivery_attempt_duration_seconds_count', custom)).toBe(3);
    expect(moved('crm_push_delivery_attempt_duration_seconds_bucket', { ...custom, le: '+Inf' })).toBe(3);
    expect(after('crm_push_delivery_attempt_duration_seconds_sum', custom)).toBeGreaterThan(0);
    expect(moved('crm_push_queue_jobs', { queue: 'crm-deliveries', state: 'completed' })).toBe(2);
  });

  it('counts a delivery that fails for good by its outcome', async () => {
    const before = await scrape();
    sink.script('leads', [{ status: 400 }]);
    const lead = await system.call('POST', '/v1/leads', { key: apiKey, body: { data: { email: 'c@example.com' } } });
    await settle(lead.body.id);
    const after = await scrape();
    const labels = { destination_type: 'custom', outcome: 'failed' };
    expect(after('crm_push_deliveries_total', labels) - before('crm_push_deliveries_total', labels)).toBe(1);
  });

  it('shows waiting jobs and the age of the oldest while no worker runs, for every queue', async () => {
    await system.stopWorkers();
    try {
      const lead = await system.call('POST', '/v1/leads', { key: apiKey, body: { data: { email: 'd@example.com' } } });
      expect(lead.status).toBe(202);
      const now = await scrape();
      expect(now('crm_push_queue_jobs', { queue: 'crm-deliveries', state: 'waiting' })).toBe(1);
      expect(now('crm_push_queue_oldest_waiting_job_age_seconds', { queue: 'crm-deliveries' })).toBeGreaterThanOrEqual(0);
      for (const queue of ['crm-deliveries', 'flow-actions', 'maintenance']) expect(now('crm_push_queue_reachable', { queue })).toBe(1);
    } finally {
      system.startWorkers();
    }
    await waitFor('the waiting job to run', async () => (await scrape())('crm_push_queue_jobs', { queue: 'crm-deliveries', state: 'waiting' }) === 0);
  });
});
