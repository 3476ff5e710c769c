import { createMaintenanceWorker, eraseExpiredLeads, LEAD_ERASURE_SCHEDULER_ID, runSweep } from '@crm-push/delivery';
import { createRedis } from '@crm-push/queue';
import { waitFor } from '@crm-push/testing';
import { useSystemWithSink } from './test-support/system';

describe('erasing a lead', () => {
  const t = useSystemWithSink({ workers: false, env: { LEAD_RETENTION_DAYS: '30' }, freshPerTest: true });

  const post = (data: Record<string, unknown>, headers: Record<string, string> = {}) =>
    t.system.call('POST', '/v1/leads', { key: t.apiKey, body: { data }, headers });

  const destination = (url = `${t.sink.url}/leads`) => t.system.addDestination(t.apiKey, { name: 'd', type: 'custom', config: { url, timeoutMs: 300 } });

  it('removes its data, its deliveries with their attempt log and error texts, and its jobs; a tombstone stays', async () => {
    await destination();
    t.sink.script('leads', [], { status: 400, body: { error: 'rejected ada@example.com' } });
    await destination('http://127.0.0.1:1/leads'); // refused: its job waits, delayed, for a retry
    const lead = await post({ email: 'ada@example.com', firstName: 'Ada' }, { 'idempotency-key': 'form-1' });
    expect(lead.status).toBe(202);
    const jobIds = lead.body.deliveries.map((d: { id: string }) => d.id);
    expect(await t.system.deps.queues.byKey.crm.getJob(jobIds[1])).toBeDefined();

    // Run one delivery so there is an attempt log holding lead data.
    t.system.startWorkers();
    await waitFor('one delivery to fail', async () => {
      const { body } = await t.system.call('GET', `/v1/leads/${lead.body.id}`, { key: t.apiKey });
      return body.deliveries.every((d: { lastError: unknown }) => d.lastError) ? body : undefined;
    });
    await t.system.stopWorkers();
    expect(await t.system.deps.db.attempt.count({ where: { delivery: { leadId: lead.body.id } } })).toBeGreaterThan(0);

    const erased = await t.system.call('DELETE', `/v1/leads/${lead.body.id}`, { key: t.apiKey });
    expect(erased.status).toBe(204);

    expect((await t.system.call('GET', `/v1/leads/${lead.body.id}`, { key: t.apiKey })).status).toBe(404);
    const list = await t.system.call('GET', '/v1/leads', { key: t.apiKey });
    expect(list.body.items.map((l: { id: string }) => l.id)).not.toContain(lead.body.id);
    for (const id of jobIds) {
      expect((await t.system.call('GET', `/v1/deliveries/${id}`, { key: t.apiKey })).status).toBe(404);
      expect(await t.system.deps.queues.byKey.crm.getJob(id)).toBeUndefined();
    }
    expect(await t.system.deps.db.delivery.count({ where: { leadId: lead.body.id } })).toBe(0);
    expect(await t.system.deps.db.attempt.count({ where: { deliveryId: { in: jobIds } } })).toBe(0);

    const tombstone = await t.system.deps.db.lead.findUniqueOrThrow({ where: { id: lead.body.id } });
    expect(tombstone).toMatchObject({ data: {}, status: 'erased', erasedAt: expect.any(Date) });
    expect(JSON.stringify(tombstone)).not.toContain('ada@example.com');

    // A retried DELETE is fine; a repeated ingest with the same key does not bring the lead back.
    expect((await t.system.call('DELETE', `/v1/leads/${lead.body.id}`, { key: t.apiKey })).status).toBe(204);
    const again = await post({ email: 'ada@example.com' }, { 'idempotency-key': 'form-1' });
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ id: lead.body.id, status: 'erased', deliveries: [] });
    expect(
      await t.system.deps.db.lead.count({ where: { accountId: (await t.system.deps.db.lead.findUniqueOrThrow({ where: { id: lead.body.id } })).accountId } }),
    ).toBe(1);
  });

  it("answers 404 for another account's lead and erases nothing of it", async () => {
    const lead = await post({ email: 'kept@example.com' });
    const other = await t.system.createAccount('Other');
    const res = await t.system.call('DELETE', `/v1/leads/${lead.body.id}`, { key: other.apiKey });
    expect(res.status).toBe(404);
    expect((await t.system.call('GET', `/v1/leads/${lead.body.id}`, { key: t.apiKey })).body.data).toEqual({ email: 'kept@example.com' });
  });

  it('leaves the sweep nothing to re-queue for an erased lead', async () => {
    await destination();
    const lead = await post({ email: 'sweep@example.com' });
    await t.system.call('DELETE', `/v1/leads/${lead.body.id}`, { key: t.apiKey });
    await t.system.deps.queues.byKey.crm.obliterate({ force: true });
    const swept = await runSweep(t.system.deps, { graceMs: 0 });
    expect(swept.lost).toBe(0);
    expect(await t.system.deps.queues.byKey.crm.getJob(lead.body.deliveries[0].id)).toBeUndefined();
  });

  it('erases leads older than LEAD_RETENTION_DAYS, in batches, and only those', async () => {
    const old = await Promise.all([1, 2, 3, 4, 5].map((i) => post({ email: `old${i}@example.com` })));
    const fresh = await post({ email: 'fresh@example.com' });
    const longAgo = new Date(Date.now() - 31 * 24 * 3600 * 1000);
    await t.system.deps.db.lead.updateMany({ where: { id: { in: old.map((l) => l.body.id) } }, data: { createdAt: longAgo } });

    const result = await eraseExpiredLeads(t.system.deps, 30, { batchSize: 2 });
    expect(result).toEqual({ erased: 5, complete: true });
    const rows = await t.system.deps.db.lead.findMany({ where: { id: { in: [...old.map((l) => l.body.id), fresh.body.id] } } });
    expect(
      rows
        .filter((r) => r.erasedAt)
        .map((r) => r.id)
        .sort(),
    ).toEqual(old.map((l) => l.body.id).sort());
    expect(rows.find((r) => r.id === fresh.body.id)!.data).toEqual({ email: 'fresh@example.com' });
  });

  it('runs daily in the maintenance worker when LEAD_RETENTION_DAYS is set', async () => {
    const connection = createRedis(t.system.config.REDIS_URL, 'worker');
    const maintenance = await createMaintenanceWorker(t.system.deps, connection);
    try {
      const scheduler = await waitFor('the retention scheduler', async () =>
        (await t.system.deps.queues.byKey.maintenance.getJobSchedulers()).find((s) => s.key === LEAD_ERASURE_SCHEDULER_ID),
      );
      expect(Number(scheduler.every)).toBe(24 * 3600 * 1000);

      const lead = await post({ email: 'expired@example.com' });
      await t.system.deps.db.lead.update({ where: { id: lead.body.id }, data: { createdAt: new Date(Date.now() - 40 * 24 * 3600 * 1000) } });
      await t.system.deps.queues.add('erase-expired', {}, { jobId: 'erase-expired-now' });
      await waitFor('the expired lead to be erased', async () => (await t.system.deps.db.lead.findUniqueOrThrow({ where: { id: lead.body.id } })).erasedAt);
    } finally {
      await maintenance.close();
      connection.disconnect();
    }
  });
});
