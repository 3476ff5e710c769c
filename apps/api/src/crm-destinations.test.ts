import { execFileSync } from 'node:child_process';
import {
  createCustomSink,
  createFakeHubSpot,
  createFakeSalesforce,
  type CustomSink,
  FAKE_HUBSPOT_TOKEN,
  type FakeHubSpot,
  type FakeSalesforce,
  waitFor,
} from '@crm-push/testing';
import { startSystem, type TestSystem } from './test-support/system';

const SF_SECRETS = { accessToken: 'sf-access-token', refreshToken: 'sf-refresh-token', clientId: 'sf-client-id', clientSecret: 'sf-client-secret' };

describe('leads delivered to Salesforce, HubSpot and a custom endpoint through their real SDKs', () => {
  let system: TestSystem;
  let salesforce: FakeSalesforce;
  let hubspot: FakeHubSpot;
  let sink: CustomSink;
  let apiKey: string;
  const logLines: string[] = [];

  beforeAll(async () => {
    system = await startSystem({ env: { LOG_LEVEL: 'debug' }, logDestination: { write: (line) => void logLines.push(line) } });
    salesforce = createFakeSalesforce({ rotateRefreshTokens: true });
    hubspot = createFakeHubSpot();
    sink = createCustomSink();
    await Promise.all([salesforce.start(), hubspot.start(), sink.start()]);
  });
  afterAll(async () => {
    try {
      await system.expectNoBrokenDeliveries();
    } finally {
      await system.stop();
      await Promise.all([salesforce.stop(), hubspot.stop(), sink.stop()]);
    }
  });
  beforeEach(async () => {
    ({ apiKey } = await system.createAccount());
    salesforce.server.resetScripts();
    // Undo what a test did to the org's session: expiry and refresh-token rotation.
    salesforce.accessTokens.add(SF_SECRETS.accessToken);
    salesforce.validRefreshToken = SF_SECRETS.refreshToken;
    hubspot.server.resetScripts();
    sink.resetScripts();
  });

  async function addDestination(body: Record<string, unknown>) {
    const res = await system.call('POST', '/v1/destinations', { key: apiKey, body: { name: String(body.type), ...body } });
    expect(res).toMatchObject({ status: 201 });
    return res.body.id as string;
  }
  // Calls time out after 5 s: under the whole suite's load a real SDK's call to a local fake can
  // take longer than half a second, and a timed-out call is retried (a second attempt).
  const addSalesforce = (extra: Record<string, unknown> = {}, credentials: Record<string, unknown> = SF_SECRETS) =>
    addDestination({ type: 'salesforce', config: { instanceUrl: salesforce.url, timeoutMs: 5000, ...extra }, credentials });
  const addHubSpot = (credentials = { accessToken: FAKE_HUBSPOT_TOKEN }, timeoutMs = 5000) =>
    addDestination({ type: 'hubspot', config: { baseUrl: hubspot.url, timeoutMs }, credentials });

  async function deliver(data: Record<string, unknown>) {
    const accepted = await system.call('POST', '/v1/leads', { key: apiKey, body: { data } });
    expect(accepted.status).toBe(202);
    return waitFor(`lead ${accepted.body.id} to settle`, async () => {
      const { body } = await system.call('GET', `/v1/leads/${accepted.body.id}`, { key: apiKey });
      return body.deliveries.every((d: any) => ['succeeded', 'failed'].includes(d.status)) ? body : undefined;
    });
  }

  /**
   * A lead whose destination's lane holds it after its first call (throttled or paused): the
   * delivery stays queued with that call logged, and the destination's health says why.
   */
  async function heldAfterOneCall(destinationId: string, data: Record<string, unknown>) {
    const accepted = await system.call('POST', '/v1/leads', { key: apiKey, body: { data } });
    expect(accepted.status).toBe(202);
    // The call is logged first, then the lane changes the destination's health: wait for both.
    return waitFor(`lead ${accepted.body.id} to make its call and its lane to hold`, async () => {
      const { body } = await system.call('GET', `/v1/leads/${accepted.body.id}`, { key: apiKey });
      const destination = (await system.call('GET', `/v1/destinations/${destinationId}`, { key: apiKey })).body;
      return body.deliveries[0]?.attempts > 0 && destination.health.state !== 'active'
        ? { delivery: body.deliveries[0], health: destination.health }
        : undefined;
    });
  }

  const ada = { email: 'Ada@Example.com ', firstName: 'Ada', lastName: 'Lovelace', company: 'Analytical Engines', phone: '+44 20 7946 0000' };

  it('lands one lead in all three CRMs with mapped fields and shows each external id', async () => {
    await addSalesforce();
    await addHubSpot();
    await addDestination({
      type: 'custom',
      config: { url: `${sink.url}/leads` },
      fieldMapping: [{ from: 'email', to: 'contact.email', transform: ['trim', 'lowercase'] }],
    });

    const lead = await deliver(ada);
    expect(lead.status).toBe('synced');
    const byType = Object.fromEntries(lead.deliveries.map((d: any) => [d.destinationType, d]));
    expect(Object.keys(byType).sort()).toEqual(['custom', 'hubspot', 'salesforce']);
    for (const d of lead.deliveries) expect(d).toMatchObject({ status: 'succeeded', attempts: 1 });

    const sfRecord = salesforce.recordsOf('Lead').find((r) => r.Id === byType.salesforce.externalId);
    expect(sfRecord).toMatchObject({ LastName: 'Lovelace', Company: 'Analytical Engines', FirstName: 'Ada' });
    const contact = hubspot.contacts.get(byType.hubspot.externalId);
    expect(contact?.properties).toMatchObject({ email: 'ada@example.com', firstname: 'Ada', lastname: 'Lovelace', company: 'Analytical Engines' });
    expect(sink.received.at(-1)).toMatchObject({ id: byType.custom.externalId, body: { contact: { email: 'ada@example.com' } } });
  });

  it('refreshes an expired Salesforce token once, lands the lead and stores the rotated refresh token encrypted', async () => {
    const destinationId = await addSalesforce();
    salesforce.expireAccessToken();
    const before = salesforce.tokenCalls();

    const lead = await deliver({ ...ada, email: 'refresh@example.com' });
    expect(lead.deliveries[0]).toMatchObject({ status: 'succeeded', attempts: 1 });
    expect(salesforce.tokenCalls() - before).toBe(1);

    const row = await system.deps.db.destination.findUniqueOrThrow({ where: { id: destinationId } });
    const stored = system.deps.secrets.open<Record<string, string>>(row.credentials!);
    expect(stored.refreshToken).toBe(salesforce.validRefreshToken);
    expect(stored.refreshToken).not.toBe(SF_SECRETS.refreshToken);
    expect(row.credentials).not.toContain(stored.refreshToken);

    // The next lead uses the stored token: no further refresh.
    await deliver({ ...ada, email: 'second@example.com' });
    expect(salesforce.tokenCalls() - before).toBe(1);
  });

  it('updates the existing HubSpot contact for a second lead with the same email instead of creating another', async () => {
    await addHubSpot();
    const first = await deliver({ email: 'grace@example.com', firstName: 'Grace' });
    const second = await deliver({ email: 'grace@example.com', firstName: 'Grace', lastName: 'Hopper' });
    expect(second.deliveries[0]).toMatchObject({ status: 'succeeded', externalId: first.deliveries[0].externalId });
    const matching = hubspot.contacts.all().filter((c) => c.properties.email === 'grace@example.com');
    expect(matching).toHaveLength(1);
    expect(matching[0].properties.lastname).toBe('Hopper');
  });

  it('sends a synced lead again on an explicit push: one new call per destination, each CRM record updated, not duplicated', async () => {
    await addSalesforce();
    await addHubSpot();
    await addDestination({ type: 'custom', config: { url: `${sink.url}/leads` } });
    const email = 'push-again@example.com';
    const first = await deliver({ ...ada, email });
    expect(first.status).toBe('synced');
    const writes = () => ({
      salesforce: salesforce.server.requests.filter((r) => r.route?.startsWith('sobject.') && r.route !== 'sobject.describe').length,
      hubspot: hubspot.server.requests.filter((r) => r.route?.startsWith('contacts.') && r.route !== 'contacts.list').length,
      custom: sink.callsTo('leads').length,
    });
    const before = writes();

    const pushed = await system.call('POST', `/v1/leads/${first.id}/push`, { key: apiKey, body: {} });
    expect(pushed.status).toBe(202);
    const again = await waitFor('the pushed deliveries to succeed again', async () => {
      const { body } = await system.call('GET', `/v1/leads/${first.id}`, { key: apiKey });
      return body.deliveries.every((d: any) => d.status === 'succeeded' && d.attempts === 2) ? body : undefined;
    });
    const after = writes();
    expect({ salesforce: after.salesforce - before.salesforce, hubspot: after.hubspot - before.hubspot, custom: after.custom - before.custom }).toEqual({
      salesforce: 1,
      hubspot: 1,
      custom: 1,
    });
    const byType = Object.fromEntries(again.deliveries.map((d: any) => [d.destinationType, d]));
    const firstByType = Object.fromEntries(first.deliveries.map((d: any) => [d.destinationType, d]));
    expect(byType.salesforce.externalId).toBe(firstByType.salesforce.externalId);
    expect(byType.hubspot.externalId).toBe(firstByType.hubspot.externalId);
    expect(hubspot.contacts.all().filter((c) => c.properties.email === email)).toHaveLength(1);
    expect(salesforce.recordsOf('Lead').filter((r) => r.Email === email)).toHaveLength(1);
    // A new push is a new operation for a custom endpoint: a new Idempotency-Key.
    const keys = sink
      .callsTo('leads')
      .slice(-2)
      .map((r) => r.headers['idempotency-key']);
    expect(keys).toEqual([byType.custom.id, `${byType.custom.id}-2`]);
  });

  it('upserts by external id with a value holding / and +, updating the same record the second time', async () => {
    const fieldMapping = [
      { from: 'externalKey', to: 'Ext_Id__c', required: true },
      { from: 'lastName', to: 'LastName', default: 'Unknown' },
      { from: 'company', to: 'Company', default: 'Unknown' },
    ];
    await addDestination({ type: 'salesforce', config: { instanceUrl: salesforce.url, externalIdField: 'Ext_Id__c' }, credentials: SF_SECRETS, fieldMapping });
    const first = await deliver({ ...ada, externalKey: 'a/b+c' });
    const second = await deliver({ ...ada, lastName: 'King', externalKey: 'a/b+c' });
    expect(first.deliveries[0]).toMatchObject({ status: 'succeeded', attempts: 1 });
    expect(second.deliveries[0]).toMatchObject({ status: 'succeeded', externalId: first.deliveries[0].externalId });
    const records = salesforce.recordsOf('Lead').filter((r) => r.Ext_Id__c === 'a/b+c');
    expect(records).toHaveLength(1);
    expect(records[0].LastName).toBe('King');
  });

  it('fails a lead without the external id value with MAPPING_ERROR and makes no call', async () => {
    await addSalesforce({ externalIdField: 'Ext_Id__c' });
    const calls = salesforce.server.requests.length;
    const lead = await deliver(ada);
    expect(lead.deliveries[0]).toMatchObject({ status: 'failed', attempts: 0, lastError: { code: 'MAPPING_ERROR' } });
    expect(salesforce.server.requests).toHaveLength(calls);
  });

  describe('ends each class of vendor error in the right state, with the vendor code in lastError', () => {
    it('REQUIRED_FIELD_MISSING fails at once after one call', async () => {
      await addSalesforce();
      salesforce.server.script('sobject.create', [
        { status: 400, body: [{ message: 'Required fields are missing: [LastName]', errorCode: 'REQUIRED_FIELD_MISSING', fields: ['LastName'] }] },
      ]);
      const lead = await deliver(ada);
      expect(lead.deliveries[0]).toMatchObject({ status: 'failed', attempts: 1, lastStatusCode: 400, nextRetryAt: null });
      expect(lead.deliveries[0].lastError).toEqual({ code: 'REQUIRED_FIELD_MISSING', message: 'Required fields are missing: [LastName]' });
    });

    it('REQUEST_LIMIT_EXCEEDED (403) holds the lane until usage falls, spending no retry', async () => {
      const id = await addSalesforce();
      salesforce.server.script('sobject.create', [{ status: 403, body: [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }] }]);
      const { delivery, health } = await heldAfterOneCall(id, ada);
      expect(delivery).toMatchObject({ status: 'queued', attempts: 1, lastError: { code: 'REQUEST_LIMIT_EXCEEDED' } });
      expect(health).toMatchObject({ state: 'throttled', reason: 'DAILY_LIMIT' });
    });

    it('UNABLE_TO_LOCK_ROW exhausts the round and waits for the sweep', async () => {
      await addSalesforce();
      salesforce.server.script('sobject.create', [], {
        status: 503,
        body: [{ message: 'unable to obtain exclusive access to this record', errorCode: 'UNABLE_TO_LOCK_ROW' }],
      });
      const lead = await deliver(ada);
      expect(lead.deliveries[0]).toMatchObject({ status: 'failed', attempts: 4, lastError: { code: 'UNABLE_TO_LOCK_ROW' } });
      expect(lead.deliveries[0].nextRetryAt).not.toBeNull();
    });

    it('a persistent 401 after a refresh pauses the destination without looping on the token endpoint', async () => {
      const id = await addSalesforce();
      const before = salesforce.tokenCalls();
      salesforce.server.script('sobject.create', [], { status: 401, body: [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }] });
      const { delivery, health } = await heldAfterOneCall(id, ada);
      expect(delivery).toMatchObject({ status: 'queued', lastError: { code: 'INVALID_SESSION_ID' } });
      expect(health).toMatchObject({ state: 'paused', reason: 'CREDENTIALS_REJECTED' });
      expect(salesforce.tokenCalls() - before).toBeLessThanOrEqual(delivery.attempts);
    });

    it('HubSpot TEN_SECONDLY_ROLLING 429 is retried within the round', async () => {
      await addHubSpot();
      hubspot.server.script('contacts.create', [
        {
          status: 429,
          headers: { 'retry-after': '0' },
          body: {
            status: 'error',
            message: 'You have reached your ten_secondly_rolling limit.',
            errorType: 'RATE_LIMIT',
            policyName: 'TEN_SECONDLY_ROLLING',
            correlationId: 'c',
          },
        },
      ]);
      const lead = await deliver({ email: 'rate@example.com' });
      expect(lead.deliveries[0]).toMatchObject({ status: 'succeeded', attempts: 2 });
    });

    it('HubSpot DAILY 429 holds the lane until the daily reset, spending no retry', async () => {
      const id = await addHubSpot();
      hubspot.server.script('contacts.create', [
        {
          status: 429,
          body: { status: 'error', message: 'You have reached your daily limit.', errorType: 'RATE_LIMIT', policyName: 'DAILY', correlationId: 'c' },
        },
      ]);
      const { delivery, health } = await heldAfterOneCall(id, { email: 'daily@example.com' });
      expect(delivery).toMatchObject({ status: 'queued', attempts: 1, lastStatusCode: 429, lastError: { code: 'RATE_LIMIT_DAILY' } });
      expect(health).toMatchObject({ state: 'throttled', reason: 'DAILY_LIMIT' });
      expect(Date.parse(health.resumeAt) - Date.now()).toBeGreaterThan(30 * 60 * 1000);
      const attempt = await system.deps.db.attempt.findFirstOrThrow({ where: { deliveryId: delivery.id } });
      expect(JSON.stringify(attempt.meta)).toContain('DAILY');
    });

    it('a 401 from HubSpot pauses the destination as CREDENTIALS_REJECTED, keeping the lead queued', async () => {
      const id = await addHubSpot({ accessToken: 'wrong-token' });
      const { delivery, health } = await heldAfterOneCall(id, { email: 'auth@example.com' });
      expect(delivery).toMatchObject({ status: 'queued', attempts: 1, lastStatusCode: 401, lastError: { code: 'INVALID_AUTHENTICATION' } });
      expect(health).toMatchObject({ state: 'paused', reason: 'CREDENTIALS_REJECTED' });
    });

    it('a 401 for credentials replaced while the call was in flight cannot re-pause the destination; the lead goes again with the new ones', async () => {
      const id = await addDestination({ type: 'hubspot', config: { baseUrl: hubspot.url, timeoutMs: 5000 }, credentials: { accessToken: FAKE_HUBSPOT_TOKEN } });
      const calls = hubspot.server.callsTo('contacts.create').length;
      const unauthorized = { status: 'error', message: 'Authentication credentials not found.', category: 'INVALID_AUTHENTICATION', correlationId: 'c' };
      hubspot.server.script('contacts.create', [{ delayMs: 1500, then: { status: 401, body: unauthorized } }]);
      const accepted = await system.call('POST', '/v1/leads', { key: apiKey, body: { data: { email: 'stale-401@example.com' } } });
      await waitFor('the call to be in flight', async () => (hubspot.server.callsTo('contacts.create').length > calls ? true : undefined));
      const patched = await system.call('PATCH', `/v1/destinations/${id}`, { key: apiKey, body: { credentials: { accessToken: FAKE_HUBSPOT_TOKEN } } });
      expect(patched.body.health).toMatchObject({ state: 'active' });
      const lead = await waitFor('the lead to land with the new credentials', async () => {
        const { body } = await system.call('GET', `/v1/leads/${accepted.body.id}`, { key: apiKey });
        return body.deliveries[0]?.status === 'succeeded' ? body : undefined;
      });
      // The stale 401 is in the delivery's log, but it never paused the destination.
      const attempts = await system.deps.db.attempt.findMany({ where: { deliveryId: lead.deliveries[0].id }, orderBy: { startedAt: 'asc' } });
      expect(attempts.map((a) => a.statusCode)).toEqual([401, 201]);
      const destination = (await system.call('GET', `/v1/destinations/${id}`, { key: apiKey })).body;
      expect(destination.health).toMatchObject({ state: 'active', reason: null });
      const events = await system.call('GET', `/v1/destinations/${id}/events`, { key: apiKey });
      expect(events.body.items.map((e: { state: string }) => e.state)).not.toContain('paused');
    });

    it('a lead that cannot be mapped fails with MAPPING_ERROR naming the field and makes no call', async () => {
      await addDestination({ type: 'custom', config: { url: `${sink.url}/leads` }, fieldMapping: [{ from: 'phone', to: 'Phone', required: true }] });
      const calls = sink.callsTo('leads').length;
      const lead = await deliver({ email: 'nophone@example.com' });
      expect(lead.deliveries[0]).toMatchObject({ status: 'failed', attempts: 0, nextRetryAt: null, lastError: { code: 'MAPPING_ERROR' } });
      expect(lead.deliveries[0].lastError.message).toContain('Phone');
      expect(sink.callsTo('leads')).toHaveLength(calls);
    });
  });

  describe('refuses a mapping that cannot work, naming the rule', () => {
    it.each([
      [[{ from: 'email', to: 'Email', transform: ['reverse'] }], 'fieldMapping.0.transform.0'],
      [[{ from: 'email', to: '' }], 'fieldMapping.0.to'],
      [[{ from: '{{ data.email | nosuchfilter }}', to: 'Email' }], 'fieldMapping.0.from'],
    ])('%j → 400 at %s', async (fieldMapping, path) => {
      const res = await system.call('POST', '/v1/destinations', {
        key: apiKey,
        body: { name: 'x', type: 'custom', config: { url: `${sink.url}/leads` }, fieldMapping },
      });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_ERROR');
      expect(res.body.error.details.map((d: any) => d.path)).toContain(path);
    });

    it('refuses the same mistake on PATCH', async () => {
      const id = await addDestination({ type: 'custom', config: { url: `${sink.url}/leads` } });
      const res = await system.call('PATCH', `/v1/destinations/${id}`, { key: apiKey, body: { fieldMapping: [{ from: 'a', to: 'b', transform: ['nope'] }] } });
      expect(res.status).toBe(400);
    });
  });

  describe('test connection', () => {
    const test = async (id: string) => (await system.call('POST', `/v1/destinations/${id}/test`, { key: apiKey })).body;

    it('is ok for working Salesforce, HubSpot and custom destinations, with no side effects', async () => {
      const ids = [await addSalesforce(), await addHubSpot(), await addDestination({ type: 'custom', config: { url: `${sink.url}/leads` } })];
      const records = salesforce.recordsOf('Lead').length;
      const contacts = hubspot.contacts.size;
      const received = sink.received.length;
      for (const id of ids) expect(await test(id)).toMatchObject({ ok: true, latencyMs: expect.any(Number) });
      expect([salesforce.recordsOf('Lead').length, hubspot.contacts.size, sink.received.length]).toEqual([records, contacts, received]);
    });

    it('explains a bad token', async () => {
      const sf = await addSalesforce({}, { accessToken: 'expired' });
      const hs = await addHubSpot({ accessToken: 'expired' });
      expect(await test(sf)).toMatchObject({ ok: false, statusCode: 401, error: { code: 'INVALID_SESSION_ID' } });
      expect(await test(hs)).toMatchObject({ ok: false, statusCode: 401, error: { code: 'INVALID_AUTHENTICATION' } });
    });

    it('explains an unreachable host', async () => {
      const closed = createCustomSink();
      const url = await closed.start();
      await closed.stop();
      const id = await addDestination({ type: 'custom', config: { url: `${url}/leads` } });
      expect(await test(id)).toMatchObject({ ok: false, error: { code: 'CONNECTION_REFUSED' } });
    });

    it('explains a timeout', async () => {
      const id = await addHubSpot(undefined, 500);
      hubspot.server.script('contacts.list', [{ hang: true }]);
      expect(await test(id)).toMatchObject({ ok: false, error: { code: 'TIMEOUT' } });
    });

    it("is a 404 for another account's destination", async () => {
      const id = await addSalesforce();
      const other = await system.createAccount('Other');
      const res = await system.call('POST', `/v1/destinations/${id}/test`, { key: other.apiKey });
      expect(res.status).toBe(404);
    });
  });

  describe('credentials', () => {
    it('are never returned by the API', async () => {
      const id = await addSalesforce();
      const { body } = await system.call('GET', `/v1/destinations/${id}`, { key: apiKey });
      expect(body.hasCredentials).toBe(true);
      expect(JSON.stringify(body)).not.toContain(SF_SECRETS.clientSecret);
      expect(body.credentials).toBeUndefined();
    });

    it('are not in plaintext in a database dump, nor in the logs', async () => {
      const secret = `super-secret-${Date.now()}`;
      await addDestination({ type: 'custom', config: { url: `${sink.url}/leads` }, credentials: { type: 'bearer', token: secret } });
      await deliver({ email: 'dump@example.com' });
      expect(sink.callsTo('leads').at(-1)!.headers.authorization).toBe(`Bearer ${secret}`);
      const dump = execFileSync('pg_dump', ['--data-only', system.config.DATABASE_URL], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      expect(dump).toContain('dump@example.com'); // the dump is real
      expect(dump).not.toContain(secret);
      expect(logLines.length).toBeGreaterThan(0);
      expect(logLines.join('\n')).not.toContain(secret);
    });
  });
});
