import type { FakeSalesforce } from '../../../testing/src/fakes/salesforce';
import type { SalesforceCredentials } from './config';
import { adapterFor, closedPortUrl, REFRESHABLE, startFakeOrg } from './__tests__/fake-org';

describe('Salesforce test connection (describe of the configured sObject)', () => {
  let fake: FakeSalesforce;
  beforeEach(async () => (fake = await startFakeOrg()));
  afterEach(() => fake.stop());

  it('is ok for a createable Lead, and writes nothing', async () => {
    const result = await adapterFor(fake.url).test();

    expect(result).toEqual({ ok: true, latencyMs: expect.any(Number), statusCode: 200 });
    expect(fake.server.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /services/data/v59.0/sobjects/Lead/describe']);
    expect(fake.recordsOf('Lead')).toEqual([]);
  });

  it('is ok for an upsert destination whose field is an external id', async () => {
    expect(await adapterFor(fake.url, { config: { externalIdField: 'Ext_Id__c' } }).test()).toMatchObject({ ok: true });
  });

  it('reports a bad token with the vendor code', async () => {
    const result = await adapterFor(fake.url, { credentials: { accessToken: 'wrong' } }).test();
    expect(result).toEqual({
      ok: false,
      latencyMs: expect.any(Number),
      statusCode: 401,
      error: { code: 'INVALID_SESSION_ID', message: 'Session expired or invalid' },
    });
  });

  it('refreshes an expired token and is ok, storing the new credentials', async () => {
    const saved: SalesforceCredentials[] = [];
    fake.expireAccessToken();
    const result = await adapterFor(fake.url, { credentials: REFRESHABLE, hooks: { onCredentialsChanged: async (c) => void saved.push(c) } }).test();
    expect(result).toMatchObject({ ok: true, statusCode: 200 });
    expect(saved).toHaveLength(1);
  });

  it('reports an unreachable host without throwing', async () => {
    const result = await adapterFor(await closedPortUrl()).test();
    expect(result).toMatchObject({ ok: false, error: { code: 'CONNECTION_REFUSED' } });
    expect(result.statusCode).toBeUndefined();
  });

  it('reports a host that never answers as a timeout', async () => {
    fake.server.script('sobject.describe', [{ hang: true }]);
    const result = await adapterFor(fake.url, { config: { timeoutMs: 200 } }).test();
    expect(result).toMatchObject({ ok: false, error: { code: 'TIMEOUT', message: 'the destination did not answer in time' } });
  });

  it('reports an sObject these credentials cannot create', async () => {
    fake.sObjects.get('Lead')!.createable = false;
    const result = await adapterFor(fake.url).test();
    expect(result).toMatchObject({ ok: false, statusCode: 200, error: { code: 'INSUFFICIENT_ACCESS' } });
  });

  it('reports an sObject the org does not have', async () => {
    const result = await adapterFor(fake.url, { config: { object: 'Prospect__c' } }).test();
    expect(result).toMatchObject({ ok: false, statusCode: 404, error: { code: 'NOT_FOUND' } });
  });

  it('reports an externalIdField that is not an external id', async () => {
    const result = await adapterFor(fake.url, { config: { externalIdField: 'Email' } }).test();
    expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_FIELD', message: 'Email is not an external id field of Lead' } });
  });

  it('reports an API version the org does not serve', async () => {
    const result = await adapterFor(fake.url, { config: { apiVersion: '99.0' } }).test();
    expect(result).toMatchObject({ ok: false, statusCode: 404, error: { code: 'NOT_FOUND' } });
  });

  it('does not retry a failing describe itself (jsforce would retry GETs five times)', async () => {
    fake.server.script('sobject.describe', [], { status: 503, body: [{ message: 'down', errorCode: 'SERVER_UNAVAILABLE' }] });
    const result = await adapterFor(fake.url).test();
    expect(result).toMatchObject({ ok: false, statusCode: 503, error: { code: 'SERVER_UNAVAILABLE' } });
    expect(fake.server.callsTo('sobject.describe')).toHaveLength(1);
  });
});
