import { parsePrometheusText, sampleValue, waitFor } from '@crm-push/testing';
import { useSystemWithSink } from '../test-support/system';

describe('GET /metrics', () => {
  const t = useSystemWithSink();
  beforeAll(() => t.addSinkDestination());

  async function scrape() {
    const res = await fetch(`${t.system.url}/metrics`); // no credentials: Prometheus sends none
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const families = parsePrometheusText(await res.text());
    return (name: string, labels: Record<string, string> = {}) => sampleValue(families, name, labels) ?? 0;
  }

  const settle = (leadId: string) => t.system.settled(leadId, t.apiKey);

  it('moves the ingest, delivery, retry and latency figures as leads flow', async () => {
    const before = await scrape();
    const custom = { destination_type: 'custom' };

    const first = await t.system.call('POST', '/v1/leads', {
      key: t.apiKey,
      body: { data: { email: 'a@example.com' } },
      headers: { 'idempotency-key': 'k-1' },
    });
    const again = await t.system.call('POST', '/v1/leads', {
      key: t.apiKey,
      body: { data: { email: 'a@example.com' } },
      headers: { 'idempotency-key': 'k-1' },
    });
    expect([first.status, again.status]).toEqual([202, 200]);
    t.sink.script('leads', [{ status: 503 }]);
    const retried = await t.system.call('POST', '/v1/leads', { key: t.apiKey, body: { data: { email: 'b@example.com' } } });
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
    t.sink.script('leads', [{ status: 400 }]);
    const lead = await t.system.call('POST', '/v1/leads', { key: t.apiKey, body: { data: { email: 'c@example.com' } } });
    await settle(lead.body.id);
    const after = await scrape();
    const labels = { destination_type: 'custom', outcome: 'failed' };
    expect(after('crm_push_deliveries_total', labels) - before('crm_push_deliveries_total', labels)).toBe(1);
  });

  it('shows waiting jobs and the age of the oldest while no worker runs, for every queue', async () => {
    await t.system.stopWorkers();
    try {
      const lead = await t.system.call('POST', '/v1/leads', { key: t.apiKey, body: { data: { email: 'd@example.com' } } });
      expect(lead.status).toBe(202);
      const now = await scrape();
      expect(now('crm_push_queue_jobs', { queue: 'crm-deliveries', state: 'waiting' })).toBe(1);
      expect(now('crm_push_queue_oldest_waiting_job_age_seconds', { queue: 'crm-deliveries' })).toBeGreaterThanOrEqual(0);
      for (const queue of ['crm-deliveries', 'flow-actions', 'maintenance']) expect(now('crm_push_queue_reachable', { queue })).toBe(1);
    } finally {
      t.system.startWorkers();
    }
    await waitFor('the waiting job to run', async () => (await scrape())('crm_push_queue_jobs', { queue: 'crm-deliveries', state: 'waiting' }) === 0);
  });
});
