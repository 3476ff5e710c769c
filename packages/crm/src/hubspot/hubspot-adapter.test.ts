import http from 'node:http';
import { createNetworkPolicy } from '@crm-push/outbound';
import type { AddressInfo } from 'node:net';
import { Client } from '@hubspot/api-client';
import {
  createFakeHubSpot,
  FAKE_HUBSPOT_TOKEN,
  HUBSPOT_ROUTES as R,
  hubspotRateLimited,
  hubspotScriptedError,
  type FakeHubSpot,
} from '../../../testing/src/fakes/hubspot';
import type { CrmAdapter } from '../contract';
import { DeliveryError } from '@crm-push/outbound';
import { DAILY_LIMIT_RETRY_AFTER_MS, hubspotConfigSchema, hubspotModule } from './index';

const allowPrivate = createNetworkPolicy({ allowPrivateNetworks: true });

const ctx = { deliveryId: 'dlv_1' };
let fake: FakeHubSpot;

beforeEach(async () => {
  fake = createFakeHubSpot();
  await fake.start();
});
afterEach(() => fake.stop());

function adapter(config: Record<string, unknown> = {}, accessToken = FAKE_HUBSPOT_TOKEN): CrmAdapter {
  return hubspotModule.createAdapter({
    config: hubspotConfigSchema.parse({ baseUrl: fake.url, ...config }),
    credentials: { accessToken },
    network: allowPrivate,
  });
}

async function pushError(a: CrmAdapter, record: Record<string, unknown> = { email: 'ada@example.com' }): Promise<DeliveryError> {
  const err = await a.push(record, ctx).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DeliveryError);
  return err as DeliveryError;
}

async function closedPortUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

describe('push', () => {
  it('creates a contact with associations: [] and returns its id and the rate-limit headers', async () => {
    const result = await adapter().push({ email: 'ada@example.com', firstname: 'Ada', numemployees: 12 }, ctx);

    expect(result).toMatchObject({ action: 'created', statusCode: 201 });
    const stored = fake.contacts.get(result.externalId!);
    expect(stored?.properties).toMatchObject({ email: 'ada@example.com', firstname: 'Ada', numemployees: '12' });
    const [call] = fake.server.callsTo(R.create);
    expect(call.body).toEqual({ associations: [], properties: { email: 'ada@example.com', firstname: 'Ada', numemployees: '12' } });
    expect(call.headers.authorization).toBe(`Bearer ${FAKE_HUBSPOT_TOKEN}`);
    expect(result.meta).toEqual({
      'x-hubspot-ratelimit-daily': '250000',
      'x-hubspot-ratelimit-daily-remaining': '249999',
      'x-hubspot-ratelimit-interval-milliseconds': '10000',
      'x-hubspot-ratelimit-max': '190',
      'x-hubspot-ratelimit-remaining': '189',
    });
  });

  it('updates the existing contact on a 409 CONFLICT instead of creating another', async () => {
    const existing = fake.seedContact({ email: 'ada@example.com', firstname: 'Old' });

    const result = await adapter().push({ email: 'ADA@example.com', firstname: 'Ada', city: 'London' }, ctx);

    expect(result).toMatchObject({ externalId: existing.id, action: 'updated', statusCode: 200 });
    expect(fake.contacts.size).toBe(1);
    expect(fake.contacts.get(existing.id)?.properties).toMatchObject({ firstname: 'Ada', city: 'London' });
    expect(fake.server.callsTo(R.update).map((c) => c.path)).toEqual([`/crm/v3/objects/contacts/${existing.id}`]);
    expect(result.meta?.['x-hubspot-ratelimit-remaining']).toBe('188');
  });

  it('matches on the email when a 409 does not name the existing id', async () => {
    const existing = fake.seedContact({ email: 'ada@example.com' });
    fake.server.script(R.create, [hubspotScriptedError(409, 'CONFLICT', 'Contact already exists')]);

    const result = await adapter().push({ email: 'ada@example.com', lastname: 'Lovelace' }, ctx);

    expect(result).toMatchObject({ externalId: existing.id, action: 'updated' });
    const [patch] = fake.server.callsTo(R.update);
    expect(patch.path).toBe('/crm/v3/objects/contacts/ada%40example.com');
    expect(patch.query.get('idProperty')).toBe('email');
    expect(fake.contacts.get(existing.id)?.properties.lastname).toBe('Lovelace');
  });

  it('with upsertBy a custom unique property, updates the contact that has that value without creating', async () => {
    fake.contacts.knownProperties.add('lead_ref');
    const existing = fake.seedContact({ email: 'ada@example.com', lead_ref: 'L-1' });

    const result = await adapter({ upsertBy: 'lead_ref' }).push({ lead_ref: 'L-1', firstname: 'Ada' }, ctx);

    expect(result).toMatchObject({ externalId: existing.id, action: 'updated' });
    expect(fake.server.callsTo(R.create)).toHaveLength(0);
    expect(fake.server.callsTo(R.update)[0].query.get('idProperty')).toBe('lead_ref');
    expect(fake.contacts.size).toBe(1);
  });

  it('with upsertBy a custom property no contact has yet, creates the contact after the 404', async () => {
    fake.contacts.knownProperties.add('lead_ref');

    const result = await adapter({ upsertBy: 'lead_ref' }).push({ lead_ref: 'L-2', email: 'bob@example.com' }, ctx);

    expect(result.action).toBe('created');
    expect(fake.contacts.findBy('lead_ref', 'L-2')?.id).toBe(result.externalId);
    expect(fake.server.callsTo(R.update)).toHaveLength(1);
  });
});

describe('push failures', () => {
  it('throws, and so retries, on 429 TEN_SECONDLY_ROLLING, waiting one interval; the SDK did not retry', async () => {
    fake.server.script(R.create, [hubspotRateLimited('TEN_SECONDLY_ROLLING')]);

    const err = await pushError(adapter());

    expect(err).toMatchObject({ code: 'RATE_LIMIT_TEN_SECONDLY', retryable: true, statusCode: 429, retryAfterMs: 10000 });
    expect(err.message).toBe('You have reached your ten_secondly_rolling limit.');
    expect(err.meta).toMatchObject({ policyName: 'TEN_SECONDLY_ROLLING', 'x-hubspot-ratelimit-remaining': '0' });
    expect(fake.server.callsTo(R.create)).toHaveLength(1);
  });

  it('honours Retry-After on a 429 when HubSpot sends one', async () => {
    fake.server.script(R.create, [hubspotRateLimited('TEN_SECONDLY_ROLLING', { retryAfterSeconds: 2 })]);
    expect((await pushError(adapter())).retryAfterMs).toBe(2000);
  });

  it('throws, and so retries, on 429 SECONDLY after a short wait', async () => {
    fake.server.script(R.create, [hubspotRateLimited('SECONDLY')]);

    const err = await pushError(adapter());

    expect(err).toMatchObject({ code: 'RATE_LIMIT_SECONDLY', retryable: true, retryAfterMs: 1000 });
    expect(fake.server.callsTo(R.create)).toHaveLength(1);
  });

  it('throws RATE_LIMIT_DAILY on 429 DAILY: retryable, but only after a long wait, for the sweep', async () => {
    fake.server.script(R.create, [hubspotRateLimited('DAILY')]);

    const err = await pushError(adapter());

    expect(err).toMatchObject({ code: 'RATE_LIMIT_DAILY', retryable: true, retryAfterMs: DAILY_LIMIT_RETRY_AFTER_MS });
    expect(err.message).toBe('You have reached your daily limit.');
    expect(err.meta).toMatchObject({ policyName: 'DAILY', 'x-hubspot-ratelimit-daily-remaining': '0' });
    expect(fake.server.callsTo(R.create)).toHaveLength(1);
  });

  it('throws RATE_LIMITED, retryable, on a 429 that names no policy, waiting one ten-second window', async () => {
    fake.server.script(R.create, [{ status: 429, body: { status: 'error', message: 'Too many requests', category: 'RATE_LIMITS' } }]);

    expect(await pushError(adapter())).toMatchObject({ code: 'RATE_LIMITED', retryable: true, retryAfterMs: 10000 });
  });

  it('throws a rate-limit error when the fake enforces its ten-second window', async () => {
    await fake.stop();
    fake = createFakeHubSpot({ limits: { max: 1 } });
    await fake.start();
    const a = adapter();
    await a.push({ email: 'one@example.com' }, ctx);

    const err = await pushError(a, { email: 'two@example.com' });

    expect(err).toMatchObject({ code: 'RATE_LIMIT_TEN_SECONDLY', retryable: true, retryAfterMs: 10000 });
  });

  it('throws, and so retries, on a 5xx with HubSpot JSON, keeping its message', async () => {
    fake.server.script(R.create, [hubspotScriptedError(502, 'INTERNAL_ERROR', 'Bad gateway upstream')]);

    const err = await pushError(adapter());

    expect(err).toMatchObject({ code: 'INTERNAL_ERROR', message: 'Bad gateway upstream', retryable: true, statusCode: 502 });
    expect(fake.server.callsTo(R.create)).toHaveLength(1);
  });

  it('throws, and so retries, on a 5xx with an HTML body', async () => {
    fake.server.script(R.create, [{ status: 503, body: '<html>Service Unavailable</html>', headers: { 'content-type': 'text/html' } }]);

    const err = await pushError(adapter());

    expect(err).toMatchObject({ code: 'HTTP_503', retryable: true, statusCode: 503 });
  });

  it('throws, and so retries, on a 500 with an empty JSON body', async () => {
    fake.server.script(R.create, [{ status: 500, headers: { 'content-type': 'application/json' } }]);

    expect(await pushError(adapter())).toMatchObject({ code: 'HTTP_500', retryable: true, statusCode: 500 });
  });

  it('throws without retry on 400 VALIDATION_ERROR for a property HubSpot does not have', async () => {
    const err = await pushError(adapter(), { email: 'ada@example.com', favorite_food: 'cake' });

    expect(err).toMatchObject({ code: 'VALIDATION_ERROR', retryable: false, statusCode: 400 });
    expect(err.message).toContain('Property \\"favorite_food\\" does not exist');
    expect(fake.contacts.size).toBe(0);
  });

  it('throws without retry on 401 INVALID_AUTHENTICATION, never echoing the token', async () => {
    const err = await pushError(adapter({}, 'pat-na1-wrong-token'));

    expect(err).toMatchObject({ code: 'INVALID_AUTHENTICATION', retryable: false, statusCode: 401 });
    expect(err.message).toMatch(/^Authentication credentials not found/);
    expect(JSON.stringify({ message: err.message, meta: err.meta })).not.toContain('pat-na1-wrong-token');
    expect(fake.server.callsTo(R.create)).toHaveLength(1);
  });

  it('throws TIMEOUT, retryable, when HubSpot never answers', async () => {
    fake.server.script(R.create, [{ hang: true }]);

    const err = await pushError(adapter({ timeoutMs: 200 }));

    expect(err).toMatchObject({ code: 'TIMEOUT', retryable: true });
    expect(fake.server.callsTo(R.create)).toHaveLength(1);
  });

  it('throws NETWORK_ERROR, retryable, when the connection is reset', async () => {
    fake.server.script(R.create, [{ reset: true }]);
    expect(await pushError(adapter())).toMatchObject({ code: 'NETWORK_ERROR', retryable: true });
  });

  it('throws CONNECTION_REFUSED, retryable, when nothing listens', async () => {
    const a = hubspotModule.createAdapter({
      config: hubspotConfigSchema.parse({ baseUrl: await closedPortUrl() }),
      credentials: { accessToken: FAKE_HUBSPOT_TOKEN },
      network: allowPrivate,
    });
    expect(await pushError(a)).toMatchObject({ code: 'CONNECTION_REFUSED', retryable: true });
  });

  it('never retries inside the SDK, even after another Client in the process turned retries on', async () => {
    void new Client({ accessToken: 'x', numberOfApiCallRetries: 3 }).crm.contacts;
    const a = adapter();
    void new Client({ accessToken: 'y', numberOfApiCallRetries: 3 }).crm.contacts;
    fake.server.script(R.create, [], hubspotScriptedError(502, 'INTERNAL_ERROR', 'down'));

    await pushError(a);

    expect(fake.server.callsTo(R.create)).toHaveLength(1);
  });
});

describe('pushMany', () => {
  it('upserts and creates in batch calls, with one result per input in order and per-record errors', async () => {
    const existing = fake.seedContact({ email: 'old@example.com', firstname: 'Old' });
    const results = await adapter().pushMany([
      { record: { email: 'new@example.com', firstname: 'New' }, ctx: { deliveryId: 'd1' } },
      { record: { email: 'OLD@example.com', firstname: 'Updated' }, ctx: { deliveryId: 'd2' } },
      { record: { email: 'bad@example.com', favorite_food: 'cake' }, ctx: { deliveryId: 'd3' } },
      { record: { firstname: 'No email' }, ctx: { deliveryId: 'd4' } },
    ]);

    expect(results.map((r) => (r.ok ? r.result.action : r.error.code))).toEqual(['created', 'updated', 'VALIDATION_ERROR', 'created']);
    expect(results[1]).toMatchObject({ ok: true, result: { externalId: existing.id } });
    expect(results[2]).toMatchObject({ ok: false, error: { retryable: false } });
    expect(results[0]).toMatchObject({ ok: true, result: { statusCode: 207, meta: { 'x-hubspot-ratelimit-max': '190' } } });
    expect(fake.contacts.size).toBe(3);
    expect(fake.contacts.get(existing.id)?.properties.firstname).toBe('Updated');
    expect(fake.server.callsTo(R.batchUpsert)).toHaveLength(1);
    expect(fake.server.callsTo(R.batchCreate)).toHaveLength(1);
    expect(fake.server.callsTo(R.batchUpsert)[0].body.inputs[0]).toMatchObject({ idProperty: 'email', id: 'new@example.com' });
  });

  it('splits records for the same email into separate calls, so the later one wins and none duplicates', async () => {
    const results = await adapter().pushMany([
      { record: { email: 'ada@example.com', firstname: 'First' }, ctx: { deliveryId: 'd1' } },
      { record: { email: 'Ada@example.com', firstname: 'Second' }, ctx: { deliveryId: 'd2' } },
    ]);

    expect(results.map((r) => r.ok && r.result.action)).toEqual(['created', 'updated']);
    expect(fake.contacts.size).toBe(1);
    expect(fake.contacts.findBy('email', 'ada@example.com')?.properties.firstname).toBe('Second');
    expect(fake.server.callsTo(R.batchUpsert)).toHaveLength(2);
  });

  it('fails every record of a call that fails as a whole, with the same retryable error', async () => {
    fake.server.script(R.batchUpsert, [hubspotRateLimited('TEN_SECONDLY_ROLLING')]);

    const results = await adapter().pushMany([
      { record: { email: 'a@example.com' }, ctx: { deliveryId: 'd1' } },
      { record: { email: 'b@example.com' }, ctx: { deliveryId: 'd2' } },
    ]);

    for (const r of results) expect(r).toMatchObject({ ok: false, error: { code: 'RATE_LIMIT_TEN_SECONDLY', retryable: true } });
    expect(fake.server.callsTo(R.batchUpsert)).toHaveLength(1);
  });

  it('updates the existing contact when a batch create reports CONFLICT for its email', async () => {
    fake.contacts.knownProperties.add('lead_ref');
    const existing = fake.seedContact({ email: 'ada@example.com' });

    const [result] = await adapter({ upsertBy: 'lead_ref' }).pushMany([{ record: { email: 'ada@example.com', firstname: 'Ada' }, ctx: { deliveryId: 'd1' } }]);

    expect(result).toMatchObject({ ok: true, result: { externalId: existing.id, action: 'updated' } });
    expect(fake.contacts.size).toBe(1);
  });
});

describe('test connection', () => {
  it('is ok after reading one contact, and creates nothing', async () => {
    const result = await adapter().test();

    expect(result).toMatchObject({ ok: true, statusCode: 200 });
    expect(result.latencyMs).toEqual(expect.any(Number));
    const [call] = fake.server.callsTo(R.list);
    expect(call.query.get('limit')).toBe('1');
    expect(fake.contacts.size).toBe(0);
  });

  it('reports a bad token', async () => {
    const result = await adapter({}, 'wrong').test();
    expect(result).toMatchObject({ ok: false, statusCode: 401, error: { code: 'INVALID_AUTHENTICATION' } });
  });

  it('reports an unreachable host', async () => {
    const a = hubspotModule.createAdapter({
      config: hubspotConfigSchema.parse({ baseUrl: await closedPortUrl() }),
      credentials: { accessToken: FAKE_HUBSPOT_TOKEN },
      network: allowPrivate,
    });
    expect(await a.test()).toMatchObject({ ok: false, error: { code: 'CONNECTION_REFUSED' } });
  });

  it('reports a timeout when HubSpot never answers', async () => {
    fake.server.script(R.list, [{ hang: true }]);
    const result = await adapter({ timeoutMs: 200 }).test();
    expect(result).toMatchObject({ ok: false, error: { code: 'TIMEOUT' } });
    expect(result.statusCode).toBeUndefined();
  });
});
