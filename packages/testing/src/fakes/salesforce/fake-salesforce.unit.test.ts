import { createFakeSalesforce, type FakeSalesforce } from '.';

describe('fake Salesforce (wire format, spoken to with plain fetch)', () => {
  let fake: FakeSalesforce;
  beforeEach(async () => {
    fake = createFakeSalesforce({ rotateRefreshTokens: true });
    await fake.start();
  });
  afterEach(() => fake.stop());

  const call = (method: string, path: string, body?: unknown, token = 'sf-access-token') =>
    fetch(`${fake.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const refresh = (refreshToken: string) =>
    fetch(`${fake.url}/services/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: 'sf-client-id', client_secret: 'sf-client-secret' }),
    });

  it('lists API versions without auth', async () => {
    const res = await fetch(`${fake.url}/services/data`);
    expect(await res.json()).toContainEqual({ label: 'v59.0', url: '/services/data/v59.0', version: '59.0' });
  });

  it('answers 401 INVALID_SESSION_ID as an array for an unknown token', async () => {
    const res = await call('GET', '/services/data/v59.0/limits', undefined, 'nope');
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual([{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
  });

  it('counts API usage in Sforce-Limit-Info and /limits', async () => {
    await call('GET', '/services/data/v59.0/limits');
    const res = await call('GET', '/services/data/v59.0/limits');
    expect(res.headers.get('sforce-limit-info')).toBe('api-usage=2/15000');
    expect(((await res.json()) as any).DailyApiRequests).toEqual({ Max: 15000, Remaining: 14998 });
  });

  it('rotates the refresh token and refuses the old one with invalid_grant', async () => {
    const first = await refresh('sf-refresh-token');
    const body = (await first.json()) as any;
    expect(body).toMatchObject({
      token_type: 'Bearer',
      instance_url: fake.url,
      id: expect.stringContaining(`${fake.url}/id/00D`),
      refresh_token: fake.validRefreshToken,
    });
    expect(fake.accessTokens.has(body.access_token)).toBe(true);

    const again = await refresh('sf-refresh-token');
    expect(again.status).toBe(400);
    expect(await again.json()).toEqual({ error: 'invalid_grant', error_description: 'expired access/refresh token' });
  });

  it('refuses more than 200 records in one collections call', async () => {
    const records = Array.from({ length: 201 }, () => ({ attributes: { type: 'Lead' }, LastName: 'L', Company: 'C' }));
    const res = await call('POST', '/services/data/v59.0/composite/sobjects', { allOrNone: false, records });
    expect(res.status).toBe(400);
    expect(((await res.json()) as any)[0].errorCode).toBe('EXCEEDED_ID_LIMIT');
  });

  it('answers REQUIRED_FIELD_MISSING naming both fields of a Lead without LastName and Company', async () => {
    const res = await call('POST', '/services/data/v59.0/sobjects/Lead', { Email: 'a@b.c' });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual([
      { message: 'Required fields are missing: [LastName, Company]', errorCode: 'REQUIRED_FIELD_MISSING', fields: ['LastName', 'Company'] },
    ]);
  });

  it('decodes the upsert value segment once, and answers NOT_FOUND when a raw "/" splits the path', async () => {
    const encoded = await call('PATCH', `/services/data/v59.0/sobjects/Lead/Ext_Id__c/${encodeURIComponent('a/b+%')}`, { LastName: 'L', Company: 'C' });
    expect(encoded.status).toBe(201);
    expect(fake.recordsOf('Lead')[0].Ext_Id__c).toBe('a/b+%');

    const raw = await call('PATCH', '/services/data/v59.0/sobjects/Lead/Ext_Id__c/a/b', { LastName: 'L', Company: 'C' });
    expect(raw.status).toBe(404);
    expect(await raw.json()).toEqual([{ message: 'The requested resource does not exist', errorCode: 'NOT_FOUND' }]);
  });

  it('describes an sObject with its createable and updateable flags', async () => {
    const res = await call('GET', '/services/data/v59.0/sobjects/Lead/describe');
    const body = (await res.json()) as any;
    expect(body).toMatchObject({ name: 'Lead', createable: true, updateable: true });
    expect(body.fields.find((f: { name: string }) => f.name === 'Ext_Id__c')).toMatchObject({ externalId: true, idLookup: true });
  });
});
