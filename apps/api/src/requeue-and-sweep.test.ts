import { v7 as uuidv7 } from 'uuid';
import { requeueDeliveries, runSweep, SWEEP_LOCK_KEY } from '@crm-push/delivery';
import { startSystem, type TestSystem } from './test-support/system';

/** The sweep and requeueDeliveries against real PostgreSQL and Redis, without workers. */
describe('requeueDeliveries and runSweep', () => {
  let system: TestSystem;
  let accountId: string;
  let destinationId: string;

  beforeAll(async () => {
    system = await startSystem({ workers: false, env: { SWEEP_MAX: '3', SWEEP_EVERY_MS: '60000' } });
  });
  afterAll(async () => system.stop());
  beforeEach(async () => {
    const { db } = system.deps;
    await db.delivery.deleteMany();
    await system.deps.queues.byKey.crm.obliterate({ force: true });
    accountId = (await system.createAccount()).id;
    destinationId = (await db.destination.create({ data: { accountId, name: 'd', type: 'custom', config: { url: 'http://127.0.0.1:9/leads' } } })).id;
  });

  /** A lead with one CRM delivery in the given state. */
  async function deliveryIn(data: Record<string, unknown>, leadStatus = 'failed') {
    const { db } = system.deps;
    const lead = await db.lead.create({ data: { accountId, data: {}, status: leadStatus } });
    return db.delivery.create({ data: { id: uuidv7(), accountId, leadId: lead.id, destinationId, ...data } });
  }

  const due = { status: 'failed', lastErrorRetryable: true, lastErrorCode: 'HTTP_503', nextRetryAt: new Date(Date.now() - 1000), attempts: 4 };

  it('re-queues failed deliveries that are due, page by page, counting a sweep and making each lead pending', async () => {
    const rows = await Promise.all(Array.from({ length: 5 }, () => deliveryIn(due)));
    const result = await runSweep(system.deps, { pageSize: 2 });
    expect(result).toEqual({ ran: true, failed: 5, lost: 0, complete: true });
    const after = await system.deps.db.delivery.findMany({ include: { lead: true } });
    expect(after.every((d) => d.status === 'queued' && d.sweeps === 1 && d.nextRetryAt === null && d.attempts === 4 && d.lead.status === 'pending')).toBe(true);
    const states = await Promise.all(rows.map((d) => system.deps.queues.byKey.crm.getJobState(d.id)));
    expect(states.every((s) => s === 'waiting')).toBe(true);
  });

  it('leaves alone what is not due: not yet due, not retryable, out of sweeps, succeeded, or to a disabled destination', async () => {
    await deliveryIn({ ...due, nextRetryAt: new Date(Date.now() + 60_000) });
    await deliveryIn({ ...due, lastErrorRetryable: false, nextRetryAt: null });
    await deliveryIn({ ...due, sweeps: 3 });
    await deliveryIn({ status: 'succeeded' }, 'synced');
    expect(await runSweep(system.deps)).toMatchObject({ ran: true, failed: 0 });
    await system.deps.db.destination.update({ where: { id: destinationId }, data: { enabled: false } });
    await deliveryIn(due);
    expect(await runSweep(system.deps)).toMatchObject({ ran: true, failed: 0 });
    expect(await system.deps.db.delivery.count({ where: { status: 'queued' } })).toBe(0);
  });

  it('enqueues queued deliveries whose job is gone, after the grace period, without counting a sweep', async () => {
    const old = await deliveryIn({ status: 'queued' }, 'pending');
    const live = await deliveryIn({ status: 'retrying' }, 'pending');
    await system.deps.queues.enqueueNew([{ id: live.id, kind: 'crm' }]);
    expect(await runSweep(system.deps, { graceMs: 60_000 })).toMatchObject({ lost: 0 }); // too recent
    expect(await runSweep(system.deps, { graceMs: 0, now: new Date(Date.now() + 1000) })).toMatchObject({ lost: 1 });
    expect(await system.deps.queues.byKey.crm.getJobState(old.id)).toBe('waiting');
    const row = await system.deps.db.delivery.findUniqueOrThrow({ where: { id: old.id } });
    expect(row.sweeps).toBe(0);
  });

  it('does nothing while another sweep holds the lock', async () => {
    await deliveryIn(due);
    let result;
    await system.deps.db.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT pg_try_advisory_xact_lock(${SWEEP_LOCK_KEY}::bigint) AS locked`;
      result = await runSweep(system.deps);
    });
    expect(result).toEqual({ ran: false, failed: 0, lost: 0, complete: true });
    expect(await system.deps.db.delivery.count({ where: { status: 'failed' } })).toBe(1);
  });

  it('stops at the backlog limit and says the sweep is not complete', async () => {
    await deliveryIn(due);
    expect(await runSweep(system.deps, { backlogLimit: 0 })).toEqual({ ran: true, failed: 0, lost: 0, complete: false });
  });

  it('requeueDeliveries: filters by account, destination, error code and status, never touches a succeeded delivery, resets sweeps', async () => {
    const failed = await deliveryIn({ ...due, sweeps: 2 });
    const other = await deliveryIn({ ...due, lastErrorCode: 'HTTP_400' });
    const done = await deliveryIn({ status: 'succeeded' }, 'synced');

    expect((await requeueDeliveries(system.deps, { accountId: uuidv7(), errorCode: 'HTTP_503' })).deliveries).toEqual([]);
    expect((await requeueDeliveries(system.deps, { ids: [done.id], statuses: ['succeeded'] })).deliveries).toEqual([]);
    expect((await requeueDeliveries(system.deps, { ids: [done.id] })).deliveries).toEqual([]);
    const res = await requeueDeliveries(system.deps, { accountId, destinationId, errorCode: 'HTTP_503', statuses: ['failed'] }, { reason: 'manual' });
    expect(res.deliveries).toEqual([{ id: failed.id, status: 'queued', destinationId }]);
    const rows = await system.deps.db.delivery.findMany({ orderBy: { id: 'asc' } });
    expect(rows.map((r) => [r.status, r.sweeps, r.attempts])).toEqual([
      ['queued', 0, 4],
      ['failed', 0, 4],
      ['succeeded', 0, 0],
    ]);
    expect(await system.deps.queues.byKey.crm.getJobState(failed.id)).toBe('waiting');
    expect(other.id).toBe(rows[1].id);
  });
});
