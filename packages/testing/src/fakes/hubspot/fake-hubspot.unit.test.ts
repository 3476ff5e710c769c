import { createFakeHubSpot, FAKE_HUBSPOT_TOKEN, HUBSPOT_ROUTES, type FakeHubSpot } from './index';

let fake: FakeHubSpot;

beforeEach(async () => {
  fake = createFakeHubSpot();
  await fake.start();
});
afterEach(() => fake.stop());

async function call(method: string, path: string, body?: unknown, token: string | null = FAKE_HUBSPOT_TOKEN) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(fake.url + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  // Parsed vendor JSON: its shape is what these tests check.
  return { status: res.status, headers: res.headers, body: (await res.json()) as any };
}

describe('fake HubSpot', () => {
  it('refuses a missing token with INVALID_AUTHENTICATION and no rate-limit headers', async () => {
    const res = await call('GET', '/crm/v3/objects/contacts', undefined, null);

    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ status: 'error', category: 'INVALID_AUTHENTICATION', correlationId: expect.any(String) });
    expect(res.headers.get('x-hubspot-ratelimit-remaining')).toBeNull();
  });

  it('refuses a create without associations, as the vendor spec requires them', async () => {
    const res = await call('POST', '/crm/v3/objects/contacts', { properties: { email: 'a@example.com' } });
    expect(res).toMatchObject({ status: 400, body: { category: 'VALIDATION_ERROR' } });
  });

  it('reads a contact by id and by idProperty=email, with only the named properties', async () => {
    const c = fake.seedContact({ email: 'ada@example.com', firstname: 'Ada', city: 'London' });

    const byId = await call('GET', `/crm/v3/objects/contacts/${c.id}?properties=city`);
    const byEmail = await call('GET', '/crm/v3/objects/contacts/ADA%40example.com?idProperty=email');

    expect(byId.body).toMatchObject({ id: c.id, properties: { city: 'London' }, archived: false });
    expect(Object.keys(byId.body.properties)).toEqual(['city']);
    expect(byEmail.body.properties).toMatchObject({ email: 'ada@example.com', firstname: 'Ada', hs_object_id: c.id });
    expect((await call('GET', '/crm/v3/objects/contacts/999')).status).toBe(404);
  });

  it('lists contacts a page at a time', async () => {
    const [a, b] = [fake.seedContact({ email: 'a@example.com' }), fake.seedContact({ email: 'b@example.com' })];

    const first = await call('GET', '/crm/v3/objects/contacts?limit=1');
    const second = await call('GET', `/crm/v3/objects/contacts?limit=1&after=${first.body.paging.next.after}`);

    expect(first.body.results.map((r: { id: string }) => r.id)).toEqual([a.id]);
    expect(second.body.results.map((r: { id: string }) => r.id)).toEqual([b.id]);
    expect(second.body.paging).toBeUndefined();
  });

  it('refuses a PATCH that would give a contact another contact’s email', async () => {
    fake.seedContact({ email: 'a@example.com' });
    const b = fake.seedContact({ email: 'b@example.com' });

    const res = await call('PATCH', `/crm/v3/objects/contacts/${b.id}`, { properties: { email: 'A@example.com' } });

    expect(res).toMatchObject({ status: 409, body: { category: 'CONFLICT' } });
  });

  it('refuses a batch upsert that names the same email twice, and one over 100 inputs', async () => {
    const dupes = await call('POST', '/crm/v3/objects/contacts/batch/upsert', {
      inputs: [
        { idProperty: 'email', id: 'a@example.com', properties: {} },
        { idProperty: 'email', id: 'A@example.com', properties: {} },
      ],
    });
    const tooMany = await call('POST', '/crm/v3/objects/contacts/batch/create', {
      inputs: Array.from({ length: 101 }, () => ({ properties: {} })),
    });

    expect(dupes).toMatchObject({ status: 400, body: { category: 'VALIDATION_ERROR' } });
    expect(tooMany).toMatchObject({ status: 400, body: { message: 'Too many inputs: 101, maximum 100' } });
    expect(fake.contacts.size).toBe(0);
  });

  it('answers 429 DAILY once the daily budget is spent', async () => {
    await fake.stop();
    fake = createFakeHubSpot({ limits: { daily: 1 } });
    await fake.start();
    await call('GET', '/crm/v3/objects/contacts');

    const res = await call('GET', '/crm/v3/objects/contacts');

    expect(res).toMatchObject({ status: 429, body: { policyName: 'DAILY', errorType: 'RATE_LIMIT' } });
    expect(res.headers.get('x-hubspot-ratelimit-daily-remaining')).toBe('0');
  });

  describe('OAuth token endpoint', () => {
    async function token(form: Record<string, string>) {
      const res = await fetch(`${fake.url}/oauth/v1/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form).toString(),
      });
      return { status: res.status, body: (await res.json()) as any };
    }
    const grant = () => ({
      grant_type: 'refresh_token',
      client_id: fake.oauth.clientId,
      client_secret: fake.oauth.clientSecret,
      refresh_token: 'fake-hs-refresh-token',
    });

    it('issues an access token the CRM routes then accept', async () => {
      const res = await token(grant());

      expect(res).toMatchObject({ status: 200, body: { token_type: 'bearer', refresh_token: 'fake-hs-refresh-token', expires_in: 1800 } });
      expect((await call('GET', '/crm/v3/objects/contacts', undefined, res.body.access_token)).status).toBe(200);
      expect(fake.server.callsTo(HUBSPOT_ROUTES.token)[0].headers.authorization).toBeUndefined();
    });

    it('refuses an unknown refresh token or client secret', async () => {
      expect(await token({ ...grant(), refresh_token: 'nope' })).toMatchObject({ status: 400, body: { status: 'BAD_REFRESH_TOKEN' } });
      expect(await token({ ...grant(), client_secret: 'nope' })).toMatchObject({ status: 400, body: { status: 'BAD_CLIENT_SECRET' } });
    });
  });
});
