import { trimSourceEvents } from '@crm-push/delivery';
import { createTestDatabase, type TestDatabase } from '@crm-push/testing';

describe('source event retention', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.drop());

  it('trims events older than 30 days and keeps the rest', async () => {
    const { db } = database;
    const account = await db.account.create({ data: { name: 'Acme' } });
    const source = await db.source.create({ data: { accountId: account.id, name: 'form', type: 'form', tokenHash: 'h', tokenSealed: 's' } });
    const now = new Date('2026-12-01T00:00:00Z');
    const daysAgo = (d: number) => new Date(now.getTime() - d * 24 * 3600 * 1000);
    await db.sourceEvent.createMany({
      data: [31, 30.5, 29, 1].map((d) => ({ sourceId: source.id, receivedAt: daysAgo(d), outcome: 'accepted' })),
    });
    expect(await trimSourceEvents(db, now)).toBe(2);
    const left = await db.sourceEvent.findMany({ orderBy: { receivedAt: 'asc' } });
    expect(left.map((e) => e.receivedAt)).toEqual([daysAgo(29), daysAgo(1)]);
  });
});
