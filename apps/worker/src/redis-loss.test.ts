import { Queues, createRedis } from '@crm-push/queue';
import { allLeadsSettled, type ApiClient, type CustomSink, freePort, useStack, waitFor } from '@crm-push/testing';

/** Every lead reaches both sinks; returns how many calls each lead got at each (for duplicates). */
function callsPerLead(sink: CustomSink): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of sink.callsTo('leads')) counts.set(r.body.email, (counts.get(r.body.email) ?? 0) + 1);
  return counts;
}

describe('Redis loses jobs: PostgreSQL is the truth and the sweep re-creates them', () => {
  const t = useStack({ sinks: 2, api: {}, account: true });

  async function postLeads(api: ApiClient, prefix: string, n: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const res = await api.call('POST', '/v1/leads', { key: t.apiKey, body: { data: { email: `${prefix}-${i}@example.com`, lastName: 'L' } } });
      expect(res.status).toBe(202);
      expect(res.body.deliveries).toHaveLength(2);
      ids.push(res.body.id);
    }
    return ids;
  }

  async function expectSynced(ids: string[]) {
    const leads = await t.stack.database.db.lead.findMany({ where: { id: { in: ids } }, select: { status: true } });
    expect(leads.filter((l) => l.status === 'synced')).toHaveLength(ids.length);
  }

  it('(a) delivers every lead although Redis was flushed between ingest and worker start', async () => {
    const ids = await postLeads(t.api, 'a', 20);
    const waiting = await t.stack.database.db.delivery.count({ where: { leadId: { in: ids }, status: 'queued' } });
    expect(waiting).toBe(40);
    await t.stack.flushRedis();

    const worker = await t.stack.startWorker();
    await allLeadsSettled(t.stack.database, 'every lead of (a) to settle');
    await expectSynced(ids);
    const lost = await t.stack.database.db.delivery.count({ where: { leadId: { in: ids }, status: { not: 'succeeded' } } });
    expect(lost).toBe(0);
    for (const sink of t.sinks) {
      const counts = callsPerLead(sink);
      expect([...counts.keys()].filter((e) => e.startsWith('a-'))).toHaveLength(20);
    }
    // One call per recorded attempt (one each, unless a call failed): the flush cost no duplicate.
    const calls = t.sinks.reduce((n, s) => n + s.callsTo('leads').length, 0);
    expect(calls).toBe(await t.stack.database.db.attempt.count({ where: { delivery: { leadId: { in: ids } } } }));
    await t.stack.expectNoBrokenDeliveries();
    await worker.stop();
  });

  it('(c) accepts leads with Redis unreachable, answers /ready with what is down, and delivers them once Redis is back', async () => {
    const closedPort = await freePort();
    const offline = await t.stack.startApi({ REDIS_URL: `redis://127.0.0.1:${closedPort}/0` });
    const ready = await offline.call('GET', '/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.checks).toMatchObject({ postgres: { status: 'up' }, redis: { status: 'down' } });

    const ids = await postLeads(offline, 'c', 10);
    const accepted = await t.stack.database.db.delivery.count({ where: { leadId: { in: ids }, status: 'queued' } });
    expect(accepted).toBe(20);

    // "Redis returns": a worker on the real Redis, whose sweep finds the jobs that never were.
    const worker = await t.stack.startWorker();
    await allLeadsSettled(t.stack.database, 'every lead of (c) to settle');
    await expectSynced(ids);
    await worker.stop();
    await offline.stop();
  });

  it('heals a Redis flush while workers run: the sweep scheduler is re-created and the sweep still runs', async () => {
    const worker = await t.stack.startWorker();
    const redis = createRedis(t.stack.redisUrl, 'producer');
    const queues = new Queues(redis, { retries: 2 });
    try {
      await waitFor('the sweep scheduler', () => queues.byKey.maintenance.getJobScheduler('sweep'));
      // The flush takes the scheduler with it (a running sweep or the heal timer may re-create it at once).
      await t.stack.flushRedis();

      // Only the sweep can deliver these: their api has no Redis at all.
      const offline = await t.stack.startApi({ REDIS_URL: `redis://127.0.0.1:${await freePort()}/0` });
      const ids = await postLeads(offline, 'flush', 5);
      await waitFor('the sweep scheduler to be re-created', () => queues.byKey.maintenance.getJobScheduler('sweep'), { timeoutMs: 10_000 });
      await allLeadsSettled(t.stack.database, 'the leads ingested after the flush to settle');
      await expectSynced(ids);
      await t.stack.expectNoBrokenDeliveries();
      await offline.stop();
    } finally {
      await queues.close();
      redis.disconnect();
      await worker.stop();
    }
  });

  it('never pushes a delivery that already succeeded, whatever job names it', async () => {
    const [leadId] = await postLeads(t.api, 'stale', 1);
    const worker = await t.stack.startWorker();
    // A synced lead may still have a delivery in flight: wait for both.
    const deliveries = await waitFor('both deliveries to succeed', async () => {
      const rows = await t.stack.database.db.delivery.findMany({
        where: { leadId },
        select: { id: true, kind: true, attempts: true, status: true },
        orderBy: { id: 'asc' },
      });
      return rows.length === 2 && rows.every((d) => d.status === 'succeeded') ? rows : undefined;
    });
    const before = t.sinks.map((s) => s.callsTo('leads').length);

    // A stale duplicate: a fresh job under each succeeded delivery's id.
    const redis = createRedis(t.stack.redisUrl, 'producer');
    const queues = new Queues(redis, { retries: 2 });
    try {
      // Their own jobs first finish (a success is recorded before its job completes), or the
      // duplicates would find them live, be dropped, and the original's result be read instead.
      await waitFor('the original jobs to complete', async () => {
        const states = await Promise.all(deliveries.map((d) => queues.byKey.crm.getJobState(d.id)));
        return states.every((s) => s === 'completed');
      });
      await queues.enqueueFresh(deliveries);
      await waitFor('the duplicate jobs to complete', async () => {
        const states = await Promise.all(deliveries.map((d) => queues.byKey.crm.getJobState(d.id)));
        return states.every((s) => s === 'completed');
      });
      const job = await queues.byKey.crm.getJob(deliveries[0].id);
      expect(job?.returnvalue).toEqual({ outcome: 'skipped', reason: 'already-succeeded' });
    } finally {
      await queues.close();
      redis.disconnect();
    }
    expect(t.sinks.map((s) => s.callsTo('leads').length)).toEqual(before);
    const after = await t.stack.database.db.delivery.findMany({ where: { leadId }, select: { attempts: true }, orderBy: { id: 'asc' } });
    expect(after.map((d) => d.attempts)).toEqual(deliveries.map((d) => d.attempts));
    await worker.stop();
  });
});
