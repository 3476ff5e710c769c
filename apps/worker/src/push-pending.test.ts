import { randomUUID } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { createCustomSink, waitFor, type CustomSink } from '@crm-push/testing';
import { addCustomDestination, allLeadsSettled, call, createAccount, startStack, type Child, type Stack } from './__tests__/processes';

describe('(g) POST /v1/leads/push-pending over a few thousand leads', () => {
  const LEADS = 2000;
  let stack: Stack;
  let api: Child & { url: string };
  let sink: CustomSink;

  beforeAll(async () => {
    sink = createCustomSink();
    await sink.start();
    stack = await startStack();
    [api] = await Promise.all([stack.startApi(), stack.startWorker({ WORKER_CONCURRENCY: '50' })]);
  });
  afterAll(async () => {
    await stack?.stop();
    await sink.stop();
  });

  it('pushes every unsynced lead to every destination it has not reached, once, and none that is synced', async () => {
    const key = await createAccount(api.url);
    const destinationId = await addCustomDestination(api.url, key, `${sink.url}/leads`);
    const { db } = stack.database;
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
    const [res, again] = await Promise.all([
      call(api.url, 'POST', '/v1/leads/push-pending', { key }),
      call(api.url, 'POST', '/v1/leads/push-pending', { key }),
    ]);
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ operationId: expect.any(String), leads: LEADS, deliveries: LEADS });
    expect(again.body).toEqual(res.body);
    const operation = await waitFor(
      'the operation to finish',
      async () => {
        const op = await call(api.url, 'GET', `/v1/operations/${res.body.operationId}`, { key });
        return op.body.status === 'running' ? undefined : op.body;
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );
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
    const stranger = await createAccount(api.url);
    expect((await call(api.url, 'GET', `/v1/operations/${res.body.operationId}`, { key: stranger })).status).toBe(404);

    const counts = await allLeadsSettled(stack.database, `${LEADS} leads to be delivered`, 90_000);
    expect(counts).toEqual({ synced: LEADS + 5 });
    // Each lead called once — or, if a call failed (a timeout on a loaded machine), once per
    // recorded attempt: no call the database does not know of, no second job for a delivery.
    const calls = new Map<string, number>();
    for (const c of sink.callsTo('leads')) calls.set(String(c.headers['idempotency-key']), (calls.get(String(c.headers['idempotency-key'])) ?? 0) + 1);
    const pushed = await db.delivery.findMany({
      where: { accountId, status: 'succeeded', attemptLog: { some: { startedAt: { gte: startedAt } } } },
      select: { id: true, attempts: true, _count: { select: { attemptLog: true } } },
    });
    expect(pushed).toHaveLength(LEADS);
    for (const d of pushed) expect(calls.get(d.id)).toBe(d._count.attemptLog);
    expect(new Set(sink.callsTo('leads').map((c) => c.body.email)).size).toBe(LEADS);
    expect(await db.delivery.count({ where: { accountId } })).toBe(LEADS + 5);
    const retried = await db.delivery.findMany({
      where: { leadId: { in: failed.map((l) => l.id) } },
      select: { attempts: true, _count: { select: { attemptLog: true } } },
    });
    expect(retried.every((d) => d.attempts === 1 + d._count.attemptLog)).toBe(true); // attempts keep counting

    // Nothing left to push: a new operation finds no unsynced lead, and is done at once.
    const nothing = await call(api.url, 'POST', '/v1/leads/push-pending', { key });
    expect(nothing.body).toEqual({ operationId: expect.any(String), leads: 0, deliveries: 0 });
    expect(nothing.body.operationId).not.toBe(res.body.operationId);
    await waitFor(
      'the empty operation to finish',
      async () => (await call(api.url, 'GET', `/v1/operations/${nothing.body.operationId}`, { key })).body.status === 'done',
    );
  }, 120_000);

  it('resumes an operation whose job Redis lost, from where it stopped, through the sweep', async () => {
    const key = await createAccount(api.url);
    const destinationId = await addCustomDestination(api.url, key, `${sink.url}/leads`);
    const { db } = stack.database;
    const accountId = (await db.destination.findUniqueOrThrow({ where: { id: destinationId } })).accountId;
    const leads = Array.from({ length: 700 }, (_, i) => ({ id: uuidv7(), accountId, data: { email: `lost-${i}@example.com` }, status: 'pending' }));
    await db.lead.createMany({ data: leads });
    // As a flush would leave it: running, half-way through (cursor), no job, untouched for minutes.
    const cursor = leads[299].id;
    const lost = await db.operation.create({
      data: { accountId, type: 'push-pending', leads: 700, deliveries: 700, progressLeads: 300, progressDeliveries: 0, cursor },
    });
    await db.$executeRaw`UPDATE operations SET updated_at = updated_at - interval '10 minutes' WHERE id = ${lost.id}`;

    const done = await waitFor(
      'the sweep to resume the operation',
      async () => {
        const op = await call(api.url, 'GET', `/v1/operations/${lost.id}`, { key });
        return op.body.status === 'done' ? op.body : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    expect(done.progress).toEqual({ leads: 700, deliveries: 400 });
    // Only the leads after the cursor were pushed by it.
    const queued = await db.delivery.findMany({ where: { accountId }, select: { leadId: true } });
    expect(new Set(queued.map((d) => d.leadId))).toEqual(new Set(leads.slice(300).map((l) => l.id)));
  }, 60_000);
});
