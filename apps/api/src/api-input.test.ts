import { TEST_ADMIN_TOKEN } from '@crm-push/testing';
import { startSystem, useSystemWithSink } from './test-support/system';

describe('the api refuses bad input with a clear error and keeps accounts apart', () => {
  const t = useSystemWithSink({ env: { RATE_LIMIT_PER_MINUTE: '200' }, freshPerTest: true });

  const postLead = (body: unknown, headers?: Record<string, string>) => t.system.call('POST', '/v1/leads', { key: t.apiKey, body, headers });

  it('answers malformed JSON with 400 INVALID_JSON', async () => {
    const res = await postLead('{"data": {', { 'content-type': 'application/json' });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'INVALID_JSON', message: expect.stringContaining('not valid JSON') });
  });

  it('answers a body that is not JSON with 415', async () => {
    const res = await postLead('email=a@b.c', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('names every missing or invalid field', async () => {
    const res = await postLead({ data: 'not an object', source: '', extra: 1 });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
    const paths = res.body.error.details.map((d: any) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['data', 'source']));
    expect(res.body.error.message).toContain('data');
    expect(JSON.stringify(res.body.error.details)).toContain('extra');
  });

  it('answers an oversized body with 413 and stores nothing', async () => {
    const res = await postLead({ data: { blob: 'x'.repeat(300 * 1024) } });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(await t.system.deps.db.lead.count({ where: { account: { apiKeys: { some: {} } }, data: { path: ['blob'], not: 'null' } } })).toBe(0);
  });

  it('answers a missing or invalid key with 401, before reading the body', async () => {
    const missing = await t.system.call('POST', '/v1/leads', { body: { data: {} } });
    const invalid = await t.system.call('POST', '/v1/leads', { key: 'cpk_nope', body: '{broken', headers: { 'content-type': 'application/json' } });
    expect([missing.status, invalid.status]).toEqual([401, 401]);
    expect(invalid.body.error.code).toBe('UNAUTHORIZED');
    expect(missing.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('keeps account creation for the admin token', async () => {
    expect((await t.system.call('POST', '/v1/accounts', { key: t.apiKey, body: { name: 'x' } })).status).toBe(401);
    expect((await t.system.call('POST', '/v1/accounts', { key: TEST_ADMIN_TOKEN, body: {} })).status).toBe(400);
  });

  it('refuses an unknown destination type and a bad config, naming the field', async () => {
    const badType = await t.system.call('POST', '/v1/destinations', { key: t.apiKey, body: { name: 'x', type: 'pipedrive', config: {} } });
    expect(badType.status).toBe(400);
    expect(badType.body.error.details.map((d: any) => d.path)).toContain('type');
    const badUrl = await t.system.call('POST', '/v1/destinations', {
      key: t.apiKey,
      body: { name: 'x', type: 'custom', config: { url: 'ftp://example.com' } },
    });
    expect(badUrl.status).toBe(400);
    expect(badUrl.body.error.details.map((d: any) => d.path)).toContain('config.url');
    const badCredentials = await t.system.call('POST', '/v1/destinations', {
      key: t.apiKey,
      body: { name: 'x', type: 'custom', config: { url: `${t.sink.url}/leads` }, credentials: { type: 'bearer' } },
    });
    expect(badCredentials.body.error.details.map((d: any) => d.path)).toContain('credentials.token');
  });

  it('says what is wrong in plain words, and lists every missing field of a CRM destination at once', async () => {
    const lead = await postLead({ data: 'not an object' });
    expect(lead.body.error.details).toContainEqual({ path: 'data', message: 'data must be an object of lead fields' });
    const hubspot = await t.system.call('POST', '/v1/destinations', { key: t.apiKey, body: { name: 'h', type: 'hubspot' } });
    expect(hubspot.status).toBe(400);
    expect(hubspot.body.error.details).toContainEqual({ path: 'credentials.accessToken', message: 'credentials.accessToken is required' });
    const salesforce = await t.system.call('POST', '/v1/destinations', { key: t.apiKey, body: { name: 's', type: 'salesforce' } });
    expect(salesforce.body.error.details.map((d: any) => d.path)).toEqual(expect.arrayContaining(['config.instanceUrl', 'credentials.accessToken']));
    expect(salesforce.body.error.message).toContain('credentials.accessToken is required');
  });

  it('reports hasCredentials: false for a custom destination saved without credentials, and delivers to it without auth', async () => {
    const res = await t.system.call('POST', '/v1/destinations', { key: t.apiKey, body: { name: 'c', type: 'custom', config: { url: `${t.sink.url}/leads` } } });
    expect(res.status).toBe(201);
    expect(res.body.hasCredentials).toBe(false);
    const withAuth = await t.system.call('POST', '/v1/destinations', {
      key: t.apiKey,
      body: { name: 'b', type: 'custom', config: { url: `${t.sink.url}/leads` }, credentials: { type: 'bearer', token: 't' } },
    });
    expect(withAuth.body.hasCredentials).toBe(true);
  });

  it('points a browser at the admin panel and a client at the docs from /', async () => {
    const browser = await fetch(`${t.system.url}/`, { headers: { accept: 'text/html' }, redirect: 'manual' });
    expect([browser.status, browser.headers.get('location')]).toEqual([302, '/admin']);
    const client = await t.system.call('GET', '/');
    expect(client.body).toMatchObject({ admin: '/admin', docs: '/docs' });
  });

  it("answers 404 for another account's lead, delivery and destination, and lists only one's own leads", async () => {
    const dest = await t.system.call('POST', '/v1/destinations', {
      key: t.apiKey,
      body: { name: 'mine', type: 'custom', config: { url: `${t.sink.url}/leads` } },
    });
    const lead = (await postLead({ data: { email: 'mine@example.com' } })).body;
    const other = await t.system.createAccount('Other');
    const as = (method: string, path: string, body?: unknown) => t.system.call(method, path, { key: other.apiKey, body });
    const answers = await Promise.all([
      as('GET', `/v1/leads/${lead.id}`),
      as('GET', `/v1/deliveries/${lead.deliveries[0].id}`),
      as('GET', `/v1/destinations/${dest.body.id}`),
      as('PATCH', `/v1/destinations/${dest.body.id}`, { name: 'stolen' }),
      as('DELETE', `/v1/destinations/${dest.body.id}`),
    ]);
    expect(answers.map((a) => a.status)).toEqual([404, 404, 404, 404, 404]);
    expect(answers[0].body.error.code).toBe('NOT_FOUND');
    expect((await as('GET', '/v1/leads')).body.items).toEqual([]);
    expect((await t.system.call('GET', `/v1/destinations/${dest.body.id}`, { key: t.apiKey })).body.name).toBe('mine');
  });

  it('pages through leads newest first with a cursor', async () => {
    for (let i = 0; i < 5; i++) await postLead({ data: { n: i } });
    const first = await t.system.call('GET', '/v1/leads?limit=2', { key: t.apiKey });
    const second = await t.system.call('GET', `/v1/leads?limit=2&cursor=${first.body.nextCursor}`, { key: t.apiKey });
    const third = await t.system.call('GET', `/v1/leads?limit=2&cursor=${second.body.nextCursor}`, { key: t.apiKey });
    const seen = [...first.body.items, ...second.body.items, ...third.body.items].map((l: any) => l.data.n);
    expect(seen).toEqual([4, 3, 2, 1, 0]);
    expect(third.body.nextCursor).toBeNull();
    expect((await t.system.call('GET', '/v1/leads?limit=0', { key: t.apiKey })).status).toBe(400);
    expect((await t.system.call('GET', '/v1/leads?status=weird', { key: t.apiKey })).status).toBe(400);
  });

  it('answers an unknown route with 404 in the error envelope', async () => {
    const res = await t.system.call('GET', '/v1/nothing-here', { key: t.apiKey });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
  });

  it('answers 429 with Retry-After once an account exceeds RATE_LIMIT_PER_MINUTE', async () => {
    const statuses: number[] = [];
    let limited: Awaited<ReturnType<typeof t.system.call>> | undefined;
    for (let i = 0; i < 205 && !limited; i++) {
      const res = await t.system.call('GET', '/v1/leads?limit=1', { key: t.apiKey });
      statuses.push(res.status);
      if (res.status === 429) limited = res;
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(200);
    expect(limited!.body.error.code).toBe('RATE_LIMITED');
    expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another account is not affected.
    const other = await t.system.createAccount('Other');
    expect((await t.system.call('GET', '/v1/leads', { key: other.apiKey })).status).toBe(200);
  });
});

describe('destinations on private networks', () => {
  it('are refused unless ALLOW_PRIVATE_DESTINATIONS is set, naming the host', async () => {
    const system = await startSystem({ env: { ALLOW_PRIVATE_DESTINATIONS: 'false' }, workers: false });
    try {
      const { apiKey } = await system.createAccount();
      const res = await system.call('POST', '/v1/destinations', {
        key: apiKey,
        body: { name: 'x', type: 'custom', config: { url: 'http://127.0.0.1:9/leads' } },
      });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain('127.0.0.1');
      const metadata = await system.call('POST', '/v1/destinations', {
        key: apiKey,
        body: { name: 'x', type: 'custom', config: { url: 'http://169.254.169.254/latest' } },
      });
      expect(metadata.status).toBe(400);
      // A name that cannot be resolved now is accepted: each call checks the address again.
      const unresolvable = await system.call('POST', '/v1/destinations', {
        key: apiKey,
        body: { name: 'x', type: 'custom', config: { url: 'http://crm.nowhere.invalid/leads' } },
      });
      expect(unresolvable.status).toBe(201);
    } finally {
      await system.stop();
    }
  });
});
