import type { FakeSalesforce } from '../../../testing/src/fakes/salesforce';
import { DeliveryError } from '@crm-push/outbound';
import { adapterFor, ctx, LEAD, rejection, startFakeOrg } from './__tests__/fake-org';

describe('Salesforce adapter: push and pushMany through jsforce', () => {
  let fake: FakeSalesforce;
  beforeEach(async () => (fake = await startFakeOrg()));
  afterEach(() => fake.stop());

  it('creates a Lead and returns its Id, the 201 and the API usage header', async () => {
    const result = await adapterFor(fake.url).push(LEAD, ctx);

    const [stored] = fake.recordsOf('Lead');
    expect(stored).toMatchObject({ ...LEAD, Id: result.externalId });
    expect(result.externalId).toMatch(/^00Q[0-9A-Za-z]{15}$/);
    expect(result).toMatchObject({ action: 'created', statusCode: 201, meta: { sforceLimitInfo: 'api-usage=1/15000' } });
    const [call] = fake.server.callsTo('sobject.create');
    expect(call.path).toBe('/services/data/v59.0/sobjects/Lead');
    expect(call.headers.authorization).toBe('Bearer sf-access-token');
    expect(call.body).toEqual(LEAD);
  });

  it('creates the configured sObject', async () => {
    const result = await adapterFor(fake.url, { config: { object: 'Contact' } }).push({ LastName: 'Hopper' }, ctx);
    expect(fake.recordsOf('Contact')).toEqual([{ LastName: 'Hopper', Id: result.externalId }]);
    expect(result.externalId).toMatch(/^003/);
  });

  it('upserts by external id: created (201) first, then updated (200) in place', async () => {
    const adapter = adapterFor(fake.url, { config: { externalIdField: 'Ext_Id__c' } });

    const first = await adapter.push({ ...LEAD, Ext_Id__c: 'crm-push-1' }, ctx);
    const second = await adapter.push({ ...LEAD, Title: 'Countess', Ext_Id__c: 'crm-push-1' }, ctx);

    expect(first).toMatchObject({ action: 'created', statusCode: 201 });
    expect(second).toMatchObject({ action: 'updated', statusCode: 200, externalId: first.externalId });
    expect(fake.recordsOf('Lead')).toEqual([{ ...LEAD, Title: 'Countess', Ext_Id__c: 'crm-push-1', Id: first.externalId }]);
    // The external id travels in the path, not in the body (as jsforce's own upsert sends it).
    expect(fake.server.callsTo('sobject.upsert')[0].body).toEqual(LEAD);
  });

  it("upserts a value holding '/', '+', '%' and a space under exactly that value", async () => {
    const value = 'a/b+c%2F d';
    const adapter = adapterFor(fake.url, { config: { externalIdField: 'Ext_Id__c' } });

    const created = await adapter.push({ ...LEAD, Ext_Id__c: value }, ctx);
    const updated = await adapter.push({ ...LEAD, Ext_Id__c: value }, ctx);

    const [call] = fake.server.callsTo('sobject.upsert');
    expect(call.path).toBe('/services/data/v59.0/sobjects/Lead/Ext_Id__c/a%2Fb%2Bc%252F%20d');
    expect(fake.recordsOf('Lead').map((r) => r.Ext_Id__c)).toEqual([value]);
    expect(updated).toMatchObject({ action: 'updated', externalId: created.externalId });
  });

  it('fails without retry when the external id matches several records (300)', async () => {
    fake.records.set('Lead', [
      { Id: '00QFk0000000000001', LastName: 'A', Company: 'C', Ext_Id__c: 'dup' },
      { Id: '00QFk0000000000002', LastName: 'B', Company: 'C', Ext_Id__c: 'dup' },
    ]);
    const err = await rejection(adapterFor(fake.url, { config: { externalIdField: 'Ext_Id__c' } }).push({ ...LEAD, Ext_Id__c: 'dup' }, ctx));

    expect(err).toBeInstanceOf(DeliveryError);
    expect(err).toMatchObject({ code: 'MULTIPLE_CHOICES', retryable: false, statusCode: 300 });
    expect(fake.recordsOf('Lead')).toHaveLength(2);
  });

  it('fails without retry when the external id field does not exist (404 NOT_FOUND)', async () => {
    const err = await rejection(adapterFor(fake.url, { config: { externalIdField: 'Nope__c' } }).push({ ...LEAD, Nope__c: 'x' }, ctx));
    expect(err).toMatchObject({ code: 'NOT_FOUND', message: 'The requested resource does not exist', retryable: false, statusCode: 404 });
  });

  it('fails with MAPPING_ERROR, and calls nothing, when the record has no external id value', async () => {
    const err = await rejection(adapterFor(fake.url, { config: { externalIdField: 'Ext_Id__c' } }).push(LEAD, ctx));
    expect(err).toMatchObject({ code: 'MAPPING_ERROR', retryable: false });
    expect(err.message).toContain('Ext_Id__c');
    expect(fake.server.requests).toHaveLength(0);
  });

  describe('pushMany', () => {
    it('creates through sObject Collections and reports a partial failure per record, in order', async () => {
      const results = await adapterFor(fake.url).pushMany([
        { record: { LastName: 'One', Company: 'C' }, ctx },
        { record: { FirstName: 'NoLastName', Company: 'C' }, ctx },
        { record: { LastName: 'Three', Company: 'C' }, ctx },
      ]);

      expect(fake.server.callsTo('collections.create')).toHaveLength(1);
      expect(fake.server.callsTo('collections.create')[0].body.records[0]).toEqual({ attributes: { type: 'Lead' }, LastName: 'One', Company: 'C' });
      const stored = fake.recordsOf('Lead');
      expect(results[0]).toEqual({
        ok: true,
        result: { externalId: stored[0].Id, action: 'created', statusCode: 200, meta: { sforceLimitInfo: 'api-usage=1/15000' } },
      });
      expect(results[1]).toMatchObject({
        ok: false,
        error: { code: 'REQUIRED_FIELD_MISSING', message: 'Required fields are missing: [LastName]', retryable: false },
      });
      expect(results[2]).toMatchObject({ ok: true, result: { externalId: stored[1].Id } });
      expect(stored.map((r) => r.LastName)).toEqual(['One', 'Three']);
    });

    it('upserts through Collections: updates the existing, creates the new, fails alone a record without external id', async () => {
      fake.records.set('Lead', [{ Id: '00QFk0000000000001', LastName: 'Old', Company: 'C', Ext_Id__c: 'e1' }]);
      const results = await adapterFor(fake.url, { config: { externalIdField: 'Ext_Id__c' } }).pushMany([
        { record: { LastName: 'New', Company: 'C', Ext_Id__c: 'e1' }, ctx },
        { record: { LastName: 'NoExt', Company: 'C' }, ctx },
        { record: { LastName: 'Fresh', Company: 'C', Ext_Id__c: 'e2' }, ctx },
      ]);

      expect(results[0]).toMatchObject({ ok: true, result: { externalId: '00QFk0000000000001', action: 'updated' } });
      expect(results[1]).toMatchObject({ ok: false, error: { code: 'MAPPING_ERROR', retryable: false } });
      expect(results[2]).toMatchObject({ ok: true, result: { action: 'created' } });
      expect(fake.server.callsTo('collections.upsert')).toHaveLength(1);
      expect(fake.server.callsTo('collections.upsert')[0].path).toBe('/services/data/v59.0/composite/sobjects/Lead/Ext_Id__c');
      expect(fake.recordsOf('Lead').map((r) => [r.Ext_Id__c, r.LastName])).toEqual([
        ['e1', 'New'],
        ['e2', 'Fresh'],
      ]);
    });

    it('sends at most 200 records per call and returns one result per input, in order', async () => {
      const items = Array.from({ length: 450 }, (_, i) => ({ record: { LastName: `L${i}`, Company: 'C' }, ctx }));
      const results = await adapterFor(fake.url).pushMany(items);

      expect(fake.server.callsTo('collections.create').map((c) => c.body.records.length)).toEqual([200, 200, 50]);
      expect(results).toHaveLength(450);
      const byId = new Map(fake.recordsOf('Lead').map((r) => [r.Id, r.LastName]));
      results.forEach((r, i) => expect(r.ok && byId.get(r.result.externalId!)).toBe(`L${i}`));
    });

    it('gives every record the error of a failed call, retryable for a 503, and sends no later chunk', async () => {
      fake.server.script('collections.create', [{ status: 503, body: [{ message: 'Server is unavailable', errorCode: 'SERVER_UNAVAILABLE' }] }]);
      const items = Array.from({ length: 201 }, (_, i) => ({ record: { LastName: `L${i}`, Company: 'C' }, ctx }));
      const results = await adapterFor(fake.url).pushMany(items);

      expect(results).toHaveLength(201);
      for (const r of results) expect(r).toMatchObject({ ok: false, error: { code: 'SERVER_UNAVAILABLE', retryable: true, statusCode: 503 } });
      expect(fake.server.callsTo('collections.create')).toHaveLength(1);
    });

    it('returns an empty list for no items without calling Salesforce', async () => {
      expect(await adapterFor(fake.url).pushMany([])).toEqual([]);
      expect(fake.server.requests).toHaveLength(0);
    });
  });
});
