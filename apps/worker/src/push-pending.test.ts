import { randomUUID } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { allLeadsSettled, useStack, waitFor } from '@crm-push/testing';

describe('(g) POST /v1/leads/push-pending over a few thousand leads', () => {
  const LEADS = 2000;
  const t = useStack({ sinks: 1, api: {}, workers: [{ WORKER_CONCURRENCY: '50' }] });

  it('pushes every unsynced lead to every destination it has not reached, once, and none that is synced', async () => {
    const key = (await t.api.createAccount()).apiKey;
    const destinationId = await t.api.addDestination(key, `${t.sink.url}/leads`);
    const { db } = t.stack.database;
    const accountId = (await db.destination.findUniqueOrThrow({ where: { id: destinationId } })).accountId;

    // Leads bulk-inserted as an import would leave them: pending, without deliveries…
    const leads = Array.from({ length: LEADS }, (_, i) => ({ id: uuidv7(), accountId, data: { email: `bulk-${i}@example.com` }, status: 'pending' }));
    for (let i = 0; i < leads.length; i += 1000) await db.lead.createMany({ data: leads.slice(i, i + 1000) });
    // …some failed for good at the destination, and some already synced (never pushed again).
    const failed = leads.slice(0, 10);
    await db.lead.updateMany({ where: { id: { in: failed.map((l) => l.id) } }, data: { status: 'failed' } });
    await db.delivery.createMany({
      data: failed.map((l) => ({
        id: uuidv7(),
        accountId,
        leadId: l.id,
        destinationId,
        status: 'failed',
        attempts: 1,
        lastErrorCode: 'HTTP_400',
        lastErrorRetryable: false,
      })),
    });
    const synced = Array.from({ length: 5 }, () => ({ id: uuidv7(), accountId, data: { email: `synced-${randomUUID()}@example.com` }, status: 'synced' }));
    await db.lead.createMany({ data: synced });
    await db.delivery.createMany({ data: synced.map((l) => ({ id: uuidv7(), accountId, leadId: l.id, destinationId, status: 'succeeded', attempts: 1 })) });

    const startedAt = new Date();
    // Two requests at once agree on one operation; both answer what it will push.
    const [res, again] = await Promise.all([t.api.call('POST', '/v1/leads/push-pending', { key }), t.api.call('POST', '/v1/leads/push-pending', { key })]);
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ operationId: expect.any(String), leads: LEADS, deliveries: LEADS });
    expect(again.body).toEqual(res.body);
    const operation = await t.api.finishedOperation(res.body.operationId, key, 60_000);
    expect(operation).toMatchObject({
      type: 'push-pending',
      status: 'done',
      leads: LEADS,
      deliveries: LEADS,
      progress: { leads: LEADS, deliveries: LEADS },
      error: null,
    });
    expect(Date.parse(operation.finishedAt)).toBeGreaterThanOrEqual(Date.parse(operation.startedAt));
    // Another account cannot see it.
    const stranger = (await t.api.createAccount()).apiKey;
    expect((await t.api.call('GET', `/v1/operations/${res.body.operationId}`, { key: stranger })).status).toBe(404);

    const counts = await allLeadsSettled(t.stack.database, `${LEADS} leads to be delivered`, 90_000);
    expect(counts).toEqual({ synced: LEADS + 5 });
    // Each lead called once — or, if a call failed (a timeout on a loaded machine), once per
    // recorded attempt: no call the database does not know of, no second job for a delivery.
    const calls = new Map<string, number>();
    for (const c of t.sink.callsTo('leads')) calls.set(String(c.headers['idempotency-key']), (calls.get(String(c.headers['idempotency-key'])) ?? 0) + 1);
    const pushed = await db.delivery.findMany({
      where: { accountId, status: 'succeeded', attemptLog: { some: { startedAt: { gte: startedAt } } } },
      select: { id: true, attempts: true, _count: { select: { attemptLog: true } } },
    });
    expect(pushed).toHaveLength(LEADS);
    for (const d of pushed) expect(calls.get(d.id)).toBe(d._count.attemptLog);
    expect(new Set(t.sink.callsTo('leads').map((c) => c.body.email)).size).toBe(LEADS);
    expect(await db.delivery.count({ where: { accountId } })).toBe(LEADS + 5);
    const retried = await db.delivery.findMany({
      where: { leadId: { in: failed.map((l) => l.id) } },
      select: { attempts: true, _count: { select: { attemptLog: true } } },
    });
    expect(retried.every((d) => d.attempts === 1 + d._count.attemptLog)).toBe(true); // attempts keep counting

    // Nothing left to push: a new operation finds no unsynced lead, and is done at once.
    const nothing = await t.api.call('POST', '/v1/leads/push-pending', { key });
    expect(nothing.body).toEqual({ operationId: expect.any(String), leads: 0, deliveries: 0 });
    expect(nothing.body.operationId).not.toBe(res.body.operationId);
    expect((await t.api.finishedOperation(nothing.body.operationId, key, 15_000)).status).toBe('done');
  }, 120_000);

  it('resumes an operation whose job Redis lost, from where it stopped, through the sweep', async () => {
    const key = (await t.api.createAccount()).apiKey;
    const destinationId = await t.api.addDestination(key, `${t.sink.url}/leads`);
    const { db } = t.stack.database;
    const accountId = (await db.destination.findUniqueOrThrow({ where: { id: destinationId } })).accountId;
    const leads = Array.from({ length: 700 }, (_, i) => ({ id: uuidv7(), accountId, data: { email: `lost-${i}@example.com` }, status: 'pending' }));
    await db.lead.createMany({ data: leads });
    // As a flush would leave it: running, half-way through (cursor), no job, untouched for minutes.
    const cursor = leads[299].id;
    const lost = await db.operation.create({
      data: { accountId, type: 'push-pending', leads: 700, deliveries: 700, progressLeads: 300, progressDeliveries: 0, cursor },
    });
    await db.$executeRaw`UPDATE operations SET updated_at = updated_at - interval '10 minutes' WHERE id = ${lost.id}`;

    // Running, as the flush left it, until the sweep resumes and finishes it.
    const done = await t.api.finishedOperation(lost.id, key, 30_000);
    expect(done.status).toBe('done');
    expect(done.progress).toEqual({ leads: 700, deliveries: 400 });
    // Only the leads after the cursor were pushed by it.
    const queued = await db.delivery.findMany({ where: { accountId }, select: { leadId: true } });
    expect(new Set(queued.map((d) => d.leadId))).toEqual(new Set(leads.slice(300).map((l) => l.id)));
    // Leave the system quiet: every delivery the operation queued is delivered.
    await waitFor('the resumed deliveries to land', async () => (await db.delivery.count({ where: { accountId, status: { not: 'succeeded' } } })) === 0, {
      timeoutMs: 30_000,
      intervalMs: 100,
    });
  }, 60_000);
});
