import { useTestDomain } from '@crm-push/testing';
import { loadDeliveries } from './load-delivery';

describe('loadDeliveries', () => {
  const domain = useTestDomain();

  it('answers exactly what findMany with the lead, destination and flow included answers', async () => {
    const { db } = domain.deps;
    const account = await db.account.create({ data: { name: 'Loads' } });
    const destination = await db.destination.create({
      data: {
        accountId: account.id,
        name: 'crm',
        type: 'custom',
        config: { url: 'https://crm.example/leads' },
        limits: { maxConcurrency: 3 },
        resumeAt: new Date(),
        healthSince: new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6)),
      },
    });
    const flow = await db.flow.create({
      data: {
        accountId: account.id,
        name: 'hot',
        when: { field: 'data.score', op: 'gt', value: 5 },
        actions: [{ type: 'webhook', url: 'https://hooks.example/x' }],
      },
    });
    const lead = await db.lead.create({
      data: {
        accountId: account.id,
        data: { email: 'a@example.com', nested: { n: [1, 'two', null] }, note: 'a "quote", a \\ backslash,\na new line and ünïcødé 😀' },
        source: 'form',
        test: true,
        erasedAt: new Date(Date.UTC(2026, 5, 1)),
      },
    });
    const deliveries = await Promise.all([
      db.delivery.create({
        data: { accountId: account.id, leadId: lead.id, kind: 'crm', destinationId: destination.id, claimUntil: new Date(), lastErrorRetryable: true },
      }),
      db.delivery.create({
        data: {
          accountId: account.id,
          leadId: lead.id,
          kind: 'webhook',
          flowId: flow.id,
          actionIndex: 0,
          attempts: 2,
          nextRetryAt: new Date(Date.UTC(2026, 11, 31, 23, 59, 59, 999)),
          lastErrorMessage: 'HTTP 502: {"error": "bad \\ gateway"}\t(tab)',
        },
      }),
    ]);
    const ids = [...deliveries.map((d) => d.id), 'no-such-delivery'];

    const expected = await db.delivery.findMany({ where: { id: { in: ids } }, include: { lead: true, destination: true, flow: true } });
    const byId = (rows: { id: string }[]) => [...rows].sort((a, b) => a.id.localeCompare(b.id));
    expect(byId(await loadDeliveries(db, ids))).toStrictEqual(byId(expected));
    expect(expected).toHaveLength(2);
  });
});
