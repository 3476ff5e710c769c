import type { FakeSalesforce } from '../../../testing/src/fakes/salesforce';
import { adapterFor, LEAD, startFakeOrg } from './__tests__/fake-org';

describe('Salesforce adapter: pushBulk through Bulk API 2.0 (jsforce bulk2)', () => {
  let fake: FakeSalesforce;
  beforeEach(async () => (fake = await startFakeOrg()));
  afterEach(() => fake.stop());

  const leads = (n: number, extra: (i: number) => Record<string, unknown> = () => ({})) =>
    Array.from({ length: n }, (_, i) => ({ record: { ...LEAD, Email: `bulk-${i}@example.com`, ...extra(i) }, ctx: { deliveryId: `d${i}` } }));

  it('inserts 2 500 records as one ingest job and gives each input its own record id', async () => {
    const items = leads(2500);
    const results = await adapterFor(fake.url).pushBulk!(items, { pollIntervalMs: 10 });

    expect(fake.bulk.completedJobs()).toHaveLength(1);
    expect(fake.server.callsTo('bulk.upload')).toHaveLength(1);
    expect(fake.server.callsTo('collections.create')).toHaveLength(0);
    const stored = new Map(fake.recordsOf('Lead').map((r) => [r.Id, r.Email]));
    expect(stored.size).toBe(2500);
    results.forEach((r, i) => {
      expect(r).toMatchObject({ ok: true, result: { action: 'created' } });
      if (r.ok) expect(stored.get(r.result.externalId!)).toBe(`bulk-${i}@example.com`);
    });
  });

  it("fails only the refused records, with Salesforce's code and message", async () => {
    const items = leads(5, (i) => (i === 1 || i === 3 ? { LastName: null } : {}));
    const results = await adapterFor(fake.url).pushBulk!(items, { pollIntervalMs: 10 });

    expect(results.map((r) => r.ok)).toEqual([true, false, true, false, true]);
    for (const r of [results[1], results[3]]) {
      expect(r).toMatchObject({ ok: false, error: { code: 'REQUIRED_FIELD_MISSING', retryable: false } });
      if (!r.ok) expect(r.error.message).toContain('LastName');
    }
    expect(fake.recordsOf('Lead')).toHaveLength(3);
  });

  it('upserts by external id: a second load updates the same records, never duplicates', async () => {
    const adapter = adapterFor(fake.url, { config: { externalIdField: 'Ext_Id__c' } });
    const first = await adapter.pushBulk!(
      leads(3, (i) => ({ Ext_Id__c: `ext-${i}` })),
      { pollIntervalMs: 10 },
    );
    const second = await adapter.pushBulk!(
      leads(3, (i) => ({ Ext_Id__c: `ext-${i}`, Title: 'Updated' })),
      { pollIntervalMs: 10 },
    );

    expect(first.map((r) => (r.ok ? r.result.action : r.error.code))).toEqual(['created', 'created', 'created']);
    expect(second.map((r) => (r.ok ? r.result.action : r.error.code))).toEqual(['updated', 'updated', 'updated']);
    expect(second.map((r) => r.ok && r.result.externalId)).toEqual(first.map((r) => r.ok && r.result.externalId));
    expect(fake.recordsOf('Lead').map((r) => r.Title)).toEqual(['Updated', 'Updated', 'Updated']);
  });

  it('fails a record without its external id alone, before any call', async () => {
    const adapter = adapterFor(fake.url, { config: { externalIdField: 'Ext_Id__c' } });
    const results = await adapter.pushBulk!(
      leads(2, (i) => (i === 0 ? { Ext_Id__c: 'ext-0' } : {})),
      { pollIntervalMs: 10 },
    );
    expect(results[0]).toMatchObject({ ok: true });
    expect(results[1]).toMatchObject({ ok: false, error: { code: 'MAPPING_ERROR' } });
  });

  it('throws a retryable error when the whole job cannot be created', async () => {
    fake.server.script('bulk.create', [{ status: 503, body: [{ errorCode: 'SERVER_UNAVAILABLE', message: 'down' }] }]);
    await expect(adapterFor(fake.url).pushBulk!(leads(2), { pollIntervalMs: 10 })).rejects.toMatchObject({ retryable: true });
    expect(fake.recordsOf('Lead')).toHaveLength(0);
  });
});
