import { createMaintenanceWorker, eraseExpiredLeads, LEAD_ERASURE_SCHEDULER_ID, runSweep } from '@crm-push/delivery';
import { createRedis } from '@crm-push/queue';
import { createCustomSink, waitFor, type CustomSink } from '@crm-push/testing';
import { startSystem, type TestSystem } from './test-support/system';

describe('erasing a lead', () => {
  let system: TestSystem;
  let sink: CustomSink;
  let apiKey: string;

  beforeAll(async () => {
    system = await startSystem({ workers: false, env: { LEAD_RETENTION_DAYS: '30' } });
    sink = createCustomSink();
    await sink.start();
  });
  afterAll(async () => {
    await system.stop();
    await sink.stop();
  });
  beforeEach(async () => {
    sink.resetScripts();
    ({ apiKey } = await system.createAccount());
  });

  const post = (data: Record<string, unknown>, headers: Record<string, string> = {}) =>
    system.call('POST', '/v1/leads', { key: apiKey, body: { data }, headers });

  async function destination(url = `${sink.url}/leads`) {
    const res = await system.call('POST', '/v1/destinations', { key: apiKey, body: { name: 'd', type: 'custom', config: { url, timeoutMs: 300 } } });
    expect(res.status).toBe(201);
    return res.body.id as string;
  }

  it('removes its data, its deliveries with their attempt log and error texts, and its jobs; a tombstone stays', async () => {
    await destination();
    sink.script('leads', [], { status: 400, body: { error: 'rejected ada@example.com' } });
    await destination('http://127.0.0.1:1/leads'); // refused: its job waits, delayed, for a retry
    const lead = await post({ email: 'ada@example.com', firstName: 'Ada' }, { 'idempotency-key': 'form-1' });
    expect(lead.status).toBe(202);
    const jobIds = lead.body.deliveries.map((d: { id: string }) => d.id);
    expect(await system.deps.queues.byKey.crm.getJob(jobIds[1])).toBeDefined();

    // Run one delivery so there is an attempt log holding lead data.
    system.startWorkers();
    await waitFor('one delivery to fail', async () => {
      const { body } = await system.call('GET', `/v1/leads/${lead.body.id}`, { key: apiKey });
      return body.deliveries.every((d: { lastError: unknown }) => d.lastError) ? body : undefined;
    });
    await system.stopWorkers();
    expect(await system.deps.db.attempt.count({ where: { delivery: { leadId: lead.body.id } } })).toBeGreaterThan(0);

    const erased = await system.call('DELETE', `/v1/leads/${lead.body.id}`, { key: apiKey });
    expect(erased.status).toBe(204);

    expect((await system.call('GET', `/v1/leads/${lead.body.id}`, { key: apiKey })).status).toBe(404);
    const list = await system.call('GET', '/v1/leads', { key: apiKey });
    expect(list.body.items.map((l: { id: string }) => l.id)).not.toContain(lead.body.id);
    for (const id of jobIds) {
      expect((await system.call('GET', `/v1/deliveries/${id}`, { key: apiKey })).status).toBe(404);
      expect(await system.deps.queues.byKey.crm.getJob(id)).toBeUndefined();
    }
    expect(await system.deps.db.delivery.count({ where: { leadId: lead.body.id } })).toBe(0);
    expect(await system.deps.db.attempt.count({ where: { deliveryId: { in: jobIds } } })).toBe(0);

    const tombstone = await system.deps.db.lead.findUniqueOrThrow({ where: { id: lead.body.id } });
    expect(tombstone).toMatchObject({ data: {}, status: 'erased', erasedAt: expect.any(Date) });
    expect(JSON.stringify(tombstone)).not.toContain('ada@example.com');

    // A retried DELETE is fine; a repeated ingest with the same key does not bring the lead back.
    expect((await system.call('DELETE', `/v1/leads/${lead.body.id}`, { key: apiKey })).status).toBe(204);
    const again = await post({ email: 'ada@example.com' }, { 'idempotency-key': 'form-1' });
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ id: lead.body.id, status: 'erased', deliveries: [] });
    expect(
      await system.deps.db.lead.count({ where: { accountId: (await system.deps.db.lead.findUniqueOrThrow({ where: { id: lead.body.id } })).accountId } }),
    ).toBe(1);
  });

  it("answers 404 for another account's lead and erases nothing of it", async () => {
    const lead = await post({ email: 'kept@example.com' });
    const other = await system.createAccount('Other');
    const res = await system.call('DELETE', `/v1/leads/${lead.body.id}`, { key: other.apiKey });
    expect(res.status).toBe(404);
    expect((await system.call('GET', `/v1/leads/${lead.body.id}`, { key: apiKey })).body.data).toEqual({ email: 'kept@example.com' });
  });

  it('leaves the sweep nothing to re-queue for an erased lead', async () => {
    await destination();
    const lead = await post({ email: 'sweep@example.com' });
    await system.call('DELETE', `/v1/leads/${lead.body.id}`, { key: apiKey });
    await system.deps.queues.byKey.crm.obliterate({ force: true });
    const swept = await runSweep(system.deps, { graceMs: 0 });
    expect(swept.lost).toBe(0);
    expect(await system.deps.queues.byKey.crm.getJob(lead.body.deliveries[0].id)).toBeUndefined();
  });

  it('erases leads older than LEAD_RETENTION_DAYS, in batches, and only those', async () => {
    const old = await Promise.all([1, 2, 3, 4, 5].map((i) => post({ email: `old${i}@example.com` })));
    const fresh = await post({ email: 'fresh@example.com' });
    const longAgo = new Date(Date.now() - 31 * 24 * 3600 * 1000);
    await system.deps.db.lead.updateMany({ where: { id: { in: old.map((l) => l.body.id) } }, data: { createdAt: longAgo } });

    const result = await eraseExpiredLeads(system.deps, 30, { batchSize: 2 });
    expect(result).toEqual({ erased: 5, complete: true });
    const rows = await system.deps.db.lead.findMany({ where: { id: { in: [...old.map((l) => l.body.id), fresh.body.id] } } });
    expect(
      rows
        .filter((r) => r.erasedAt)
        .map((r) => r.id)
        .sort(),
    ).toEqual(old.map((l) => l.body.id).sort());
    expect(rows.find((r) => r.id === fresh.body.id)!.data).toEqual({ email: 'fresh@example.com' });
  });

  it('runs daily in the maintenance worker when LEAD_RETENTION_DAYS is set', async () => {
    const connection = createRedis(system.config.REDIS_URL, 'worker');
    const maintenance = await createMaintenanceWorker(system.deps, connection);
    try {
      const scheduler = await waitFor('the retention scheduler', async () =>
        (await system.deps.queues.byKey.maintenance.getJobSchedulers()).find((s) => s.key === LEAD_ERASURE_SCHEDULER_ID),
      );
      expect(Number(scheduler.every)).toBe(24 * 3600 * 1000);

      const lead = await post({ email: 'expired@example.com' });
      await system.deps.db.lead.update({ where: { id: lead.body.id }, data: { createdAt: new Date(Date.now() - 40 * 24 * 3600 * 1000) } });
      await system.deps.queues.add('erase-expired', {}, { jobId: 'erase-expired-now' });
      await waitFor('the expired lead to be erased', async () => (await system.deps.db.lead.findUniqueOrThrow({ where: { id: lead.body.id } })).erasedAt);
    } finally {
      await maintenance.close();
      connection.disconnect();
    }
  });
});
