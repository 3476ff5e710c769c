import { useTestDomain } from '@crm-push/testing';
import { recordSuccesses } from './record-outcome';

describe('recordSuccesses', () => {
  const domain = useTestDomain();

  it("marks a delivery of its job's round succeeded, and only counts the call of a job an explicit push superseded", async () => {
    const { db } = domain.deps;
    const account = await db.account.create({ data: { name: 'Outcomes' } });
    const destination = await db.destination.create({
      data: { accountId: account.id, name: 'crm', type: 'custom', config: { url: 'https://crm.example/leads' } },
    });
    const lead = (email: string) => db.lead.create({ data: { accountId: account.id, data: { email } } });
    const [current, superseded] = [await lead('current@example.com'), await lead('superseded@example.com')];
    const retryAt = new Date(Date.now() + 60_000);
    const earlier = { status: 'queued', attempts: 1, lastStatusCode: 503, lastErrorCode: 'HTTP_503', lastErrorMessage: 'busy', lastErrorRetryable: true };
    const now = await db.delivery.create({
      data: { accountId: account.id, leadId: current.id, destinationId: destination.id, ...earlier, nextRetryAt: retryAt },
    });
    // Pushed again while its round-1 job was calling: the delivery is in round 2 now.
    const pushed = await db.delivery.create({
      data: { accountId: account.id, leadId: superseded.id, destinationId: destination.id, ...earlier, round: 2, nextRetryAt: retryAt },
    });
    const success = (d: { id: string; leadId: string }, round: number, externalId: string) => ({
      delivery: { id: d.id, leadId: d.leadId, sweeps: 0, round },
      result: { externalId, action: 'created' as const, statusCode: 201 },
      attempt: { startedAt: new Date(), durationMs: 12 },
    });

    await recordSuccesses(domain.deps, [success(now, 1, 'crm-1'), success(pushed, 1, 'crm-2'), success({ id: 'erased', leadId: 'erased' }, 1, 'crm-3')]);

    const after = async (id: string) => db.delivery.findUniqueOrThrow({ where: { id }, include: { attemptLog: true, lead: true } });
    const done = await after(now.id);
    expect(done).toMatchObject({ status: 'succeeded', attempts: 2, lastStatusCode: 201, lastErrorCode: null, lastErrorMessage: null, externalId: 'crm-1' });
    expect(done.nextRetryAt).toBeNull();
    expect(done.lead.status).toBe('synced');
    expect(done.attemptLog).toMatchObject([{ statusCode: 201, durationMs: 12 }]);

    const counted = await after(pushed.id);
    expect(counted).toMatchObject({ ...earlier, attempts: 2, round: 2, externalId: null, nextRetryAt: retryAt });
    expect(counted.lead.status).toBe('pending');
    expect(counted.attemptLog).toMatchObject([{ statusCode: 201, durationMs: 12 }]);
    expect(await db.attempt.count({ where: { deliveryId: 'erased' } })).toBe(0);
  });
});
