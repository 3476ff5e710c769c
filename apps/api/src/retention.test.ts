import { v7 as uuidv7 } from 'uuid';
import { createMaintenanceWorker, RETENTION_SCHEDULER_ID, trimHistory } from '@crm-push/delivery';
import { createRedis, redisTarget } from '@crm-push/queue';
import { waitFor } from '@crm-push/testing';
import { startSystem, type TestSystem } from './test-support/system';

const DAY_MS = 24 * 3600 * 1000;

describe('attempt-log retention', () => {
  let system: TestSystem;
  let deliveryId: string;

  beforeAll(async () => {
    system = await startSystem({ workers: false });
  });
  afterAll(async () => system.stop());
  beforeEach(async () => {
    const { db } = system.deps;
    await db.delivery.deleteMany();
    const accountId = (await system.createAccount()).id;
    const destinationId = (await db.destination.create({ data: { accountId, name: 'd', type: 'custom', config: { url: 'http://127.0.0.1:9/leads' } } })).id;
    const lead = await db.lead.create({ data: { accountId, data: {}, status: 'synced' } });
    deliveryId = (await db.delivery.create({ data: { id: uuidv7(), accountId, leadId: lead.id, destinationId, status: 'succeeded', attempts: 10 } })).id;
  });

  async function attemptsAged(days: number[]) {
    await system.deps.db.attempt.createMany({
      data: days.map((d) => ({ id: uuidv7(), deliveryId, startedAt: new Date(Date.now() - d * DAY_MS), durationMs: 5, statusCode: 201 })),
    });
  }
  const ages = async () =>
    (await system.deps.db.attempt.findMany({ where: { deliveryId }, select: { startedAt: true } }))
      .map((a) => Math.round((Date.now() - a.startedAt.getTime()) / DAY_MS))
      .sort((a, b) => a - b);

  it('deletes attempt rows older than ATTEMPT_RETENTION_DAYS [30] in batches, keeping newer ones and the delivery itself', async () => {
    await attemptsAged([31, 40, 45, 60, 90, 365, 400, 1, 10, 29]);
    expect(await trimHistory(system.deps, { batchSize: 3 })).toEqual({ attempts: 7, operations: 0, sourceEvents: 0, batches: 3 });
    expect(await ages()).toEqual([1, 10, 29]);
    expect(await system.deps.db.delivery.findUniqueOrThrow({ where: { id: deliveryId } })).toMatchObject({ status: 'succeeded', attempts: 10 });
  });

  it('honours a shorter retention', async () => {
    await attemptsAged([1, 6, 10]);
    const config = { ...system.config, ATTEMPT_RETENTION_DAYS: 5 };
    expect(await trimHistory({ db: system.deps.db, config })).toEqual({ attempts: 2, operations: 0, sourceEvents: 0, batches: 1 });
    expect(await ages()).toEqual([1]);
  });

  it('removes finished operations older than the retention, keeping running and recent ones', async () => {
    const { db } = system.deps;
    const accountId = (await db.delivery.findUniqueOrThrow({ where: { id: deliveryId } })).accountId;
    const old = new Date(Date.now() - 40 * DAY_MS);
    const recent = new Date(Date.now() - 2 * DAY_MS);
    const base = { accountId, type: 'push-pending', leads: 1, deliveries: 1 };
    await db.operation.deleteMany();
    await db.operation.createMany({
      data: [
        { ...base, status: 'done', startedAt: old, finishedAt: old },
        { ...base, status: 'failed', startedAt: old, finishedAt: old },
        { ...base, status: 'done', startedAt: recent, finishedAt: recent },
        { ...base, status: 'running', startedAt: old },
      ],
    });
    expect(await trimHistory(system.deps)).toMatchObject({ operations: 2 });
    const left = await db.operation.findMany({ select: { status: true, finishedAt: true } });
    expect(left.map((o) => o.status).sort()).toEqual(['done', 'running']);
  });

  it('is scheduled daily by the maintenance worker, which runs it', async () => {
    await attemptsAged([2, 35, 50]);
    const connection = createRedis(redisTarget(system.config), 'worker');
    const maintenance = await createMaintenanceWorker(system.deps, connection);
    try {
      const scheduler = await waitFor('the retention scheduler', () => system.deps.queues.byKey.maintenance.getJobScheduler(RETENTION_SCHEDULER_ID));
      expect(scheduler).toMatchObject({ every: DAY_MS });
      await system.deps.queues.add('retention', {}, { jobId: 'retention-now' });
      await waitFor('the old attempts to be trimmed', async () => (await ages()).length === 1);
      expect(await ages()).toEqual([2]);
    } finally {
      await maintenance.close();
      connection.disconnect();
    }
  });
});
