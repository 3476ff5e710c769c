import { Webhook } from 'standardwebhooks';
import { createMaintenanceWorker } from '@crm-push/delivery';
import { createRedis } from '@crm-push/queue';
import { waitFor } from '@crm-push/testing';
import { useSystemWithSink } from './test-support/system';

const GOOGLE_KEY = 'advertiser-chosen-google-key';
const WEBHOOK_SECRET = 'whsec_' + Buffer.from('sources-test-webhook-secret-32by').toString('base64');

function googleLead(leadId: string, extra: Record<string, unknown> = {}) {
  return {
    lead_id: leadId,
    api_version: '1.0',
    form_id: 40000000000,
    campaign_id: 20000000000,
    google_key: GOOGLE_KEY,
    user_column_data: [
      { column_name: 'First Name', string_value: 'Grace', column_id: 'FIRST_NAME' },
      { column_name: 'Last Name', string_value: 'Hopper', column_id: 'LAST_NAME' },
      { column_name: 'User Email', string_value: 'Grace@Navy.mil ', column_id: 'EMAIL' },
      { column_name: 'User Phone', string_value: '+16505550123', column_id: 'PHONE_NUMBER' },
      { column_name: 'City', string_value: 'Arlington', column_id: 'CITY' },
      { column_name: 'Which course interests you?', string_value: 'COBOL', column_id: 'q_course' },
    ],
    ...extra,
  };
}

describe('sources: CRUD, forms, webhooks and Google Ads lead forms', () => {
  const t = useSystemWithSink({ env: { PUBLIC_URL: 'https://push.example.com/' } });
  beforeAll(() => t.addSinkDestination());

  async function createSource(body: Record<string, unknown>) {
    const res = await t.system.call('POST', '/v1/sources', { key: t.apiKey, body: { name: String(body.type), ...body } });
    expect(res.status).toBe(201);
    return { id: res.body.id as string, path: new URL(res.body.ingestUrl as string).pathname, view: res.body };
  }
  const post = (path: string, body: string, headers: Record<string, string>) =>
    fetch(t.system.url + path, { method: 'POST', headers, body, redirect: 'manual' });
  const stats = async (id: string) => (await t.system.call('GET', `/v1/sources/${id}`, { key: t.apiKey })).body.stats;
  const leadsOf = (sourceId: string) => t.system.deps.db.lead.findMany({ where: { source: sourceId }, include: { deliveries: true } });

  describe('the API', () => {
    it('creates a source with an absolute ingest URL, no credentials in the view, and zeroed stats', async () => {
      const { view } = await createSource({ type: 'google_ads', credentials: { googleKey: GOOGLE_KEY } });
      expect(view).toMatchObject({
        type: 'google_ads',
        enabled: true,
        hasCredentials: true,
        config: { pushTestLeads: false },
        stats: { received: 0, created: 0, duplicates: 0, rejected: 0, lastReceivedAt: null, lastError: null },
      });
      expect(view.ingestUrl).toMatch(/^https:\/\/push\.example\.com\/in\/src_/);
      expect(JSON.stringify(view)).not.toContain(GOOGLE_KEY);
      const token = view.ingestUrl.split('/in/')[1];
      expect(await t.system.deps.db.source.count({ where: { tokenHash: token } })).toBe(0); // stored hashed
    });

    it('names each missing credential and each bad config field', async () => {
      const res = await t.system.call('POST', '/v1/sources', {
        key: t.apiKey,
        body: { name: 'meta', type: 'meta_lead_ads', config: { graphVersion: '21' }, credentials: { appSecret: 's' } },
      });
      expect(res.status).toBe(400);
      const paths = res.body.error.details.map((d: { path: string }) => d.path);
      expect(paths).toEqual(expect.arrayContaining(['config.graphVersion', 'credentials.verifyToken', 'credentials.pageAccessToken']));
      const unknownType = await t.system.call('POST', '/v1/sources', { key: t.apiKey, body: { name: 'x', type: 'linkedin' } });
      expect(unknownType.status).toBe(400);
    });

    it("hides another account's source", async () => {
      const { id } = await createSource({ type: 'form' });
      const other = await t.system.createAccount('Other');
      for (const [method, path] of [
        ['GET', `/v1/sources/${id}`],
        ['PATCH', `/v1/sources/${id}`],
        ['POST', `/v1/sources/${id}/rotate`],
        ['GET', `/v1/sources/${id}/events`],
        ['DELETE', `/v1/sources/${id}`],
      ]) {
        const res = await t.system.call(method, path, { key: other.apiKey, body: method === 'PATCH' ? { name: 'x' } : undefined });
        expect([method, path, res.status]).toEqual([method, path, 404]);
      }
    });
  });

  describe('google_ads', () => {
    it('stores a lead sent with the right key, normalised by column_id, and pushes it', async () => {
      const { id, path } = await createSource({ type: 'google_ads', credentials: { googleKey: GOOGLE_KEY } });
      const res = await post(path, JSON.stringify(googleLead('g-1')), { 'content-type': 'application/json' });
      expect(res.status).toBe(200);
      const [lead] = await leadsOf(id);
      expect(lead).toMatchObject({ externalId: 'g-1', test: false });
      expect(lead.data).toMatchObject({
        providerType: 'google_ads',
        providerLeadId: 'g-1',
        email: 'grace@navy.mil',
        firstName: 'Grace',
        lastName: 'Hopper',
        fullName: 'Grace Hopper',
        phoneNumber: '+16505550123',
        customFields: { 'Which course interests you?': 'COBOL' },
        rawFieldData: { CITY: 'Arlington', form_id: 40000000000 },
      });
      await waitFor('the push', () => t.sink.received.some((r) => (r.body as { email?: string }).email === 'grace@navy.mil'));
      // Google retries too: the same lead again is the same success and nothing new.
      const again = await post(path, JSON.stringify(googleLead('g-1')), { 'content-type': 'application/json' });
      expect(again.status).toBe(200);
      expect(await leadsOf(id)).toHaveLength(1);
      expect(await stats(id)).toMatchObject({ received: 2, created: 1, duplicates: 1, rejected: 0 });
    });

    it('refuses a wrong key with 403, stores nothing and records it', async () => {
      const { id, path } = await createSource({ type: 'google_ads', credentials: { googleKey: GOOGLE_KEY } });
      for (const key of ['wrong-key', GOOGLE_KEY.slice(0, -1), '']) {
        const res = await post(path, JSON.stringify(googleLead('g-2', { google_key: key })), { 'content-type': 'application/json' });
        expect(res.status).toBe(403);
        expect((await res.json()).error.code).toBe('INVALID_GOOGLE_KEY');
      }
      expect(await leadsOf(id)).toHaveLength(0);
      expect(await stats(id)).toMatchObject({ received: 3, rejected: 3, lastError: { code: 'INVALID_GOOGLE_KEY' } });
      const events = (await t.system.call('GET', `/v1/sources/${id}/events`, { key: t.apiKey })).body;
      expect(events.items).toHaveLength(3);
      expect(events.items[0]).toMatchObject({ outcome: 'rejected', statusCode: 403, leads: 0, created: 0, error: { code: 'INVALID_GOOGLE_KEY' } });
    });

    it('stores a test lead with test: true and pushes it only when the source says so', async () => {
      const quiet = await createSource({ type: 'google_ads', credentials: { googleKey: GOOGLE_KEY } });
      const loud = await createSource({ type: 'google_ads', config: { pushTestLeads: true }, credentials: { googleKey: GOOGLE_KEY } });
      for (const s of [quiet, loud]) {
        const res = await post(s.path, JSON.stringify(googleLead('TeSter-123', { is_test: true })), { 'content-type': 'application/json' });
        expect(res.status).toBe(200);
      }
      const [held] = await leadsOf(quiet.id);
      const [pushed] = await leadsOf(loud.id);
      expect(held).toMatchObject({ test: true });
      expect(held.deliveries).toHaveLength(0);
      expect(pushed).toMatchObject({ test: true });
      expect(pushed.deliveries).toHaveLength(1);
      const view = await t.system.call('GET', `/v1/leads/${held.id}`, { key: t.apiKey });
      expect(view.body).toMatchObject({ test: true, source: quiet.id, externalId: 'TeSter-123' });
      // push-pending leaves a held test lead alone (its operation runs on the maintenance queue).
      const connection = createRedis(t.system.config.REDIS_URL, 'worker');
      const maintenance = await createMaintenanceWorker(t.system.deps, connection);
      try {
        const op = await t.system.call('POST', '/v1/leads/push-pending', { key: t.apiKey });
        expect(op.status).toBe(202);
        expect((await t.system.finishedOperation(op.body.operationId, t.apiKey, 15_000)).status).toBe('done');
      } finally {
        await maintenance.close();
        connection.disconnect();
      }
      expect(await t.system.deps.db.delivery.count({ where: { leadId: held.id } })).toBe(0);
    });
  });

  describe('form', () => {
    it('takes urlencoded, multipart and JSON posts; redirects a browser form with 303', async () => {
      const { id, path } = await createSource({ type: 'form', config: { redirectUrl: 'https://example.com/thanks' } });
      const urlencoded = await post(path, new URLSearchParams({ name: 'Alan Turing', email: 'alan@example.com', topic: 'enigma' }).toString(), {
        'content-type': 'application/x-www-form-urlencoded',
      });
      expect(urlencoded.status).toBe(303);
      expect(urlencoded.headers.get('location')).toBe('https://example.com/thanks');

      const form = new FormData();
      form.set('first_name', 'Katherine');
      form.set('last_name', 'Johnson');
      form.set('email', 'kj@example.com');
      const multipart = await fetch(t.system.url + path, { method: 'POST', body: form, redirect: 'manual' });
      expect(multipart.status).toBe(303);

      const json = await post(path, JSON.stringify({ fullName: 'Dorothy Vaughan', email: 'dv@example.com' }), { 'content-type': 'application/json' });
      expect(json.status).toBe(202);
      expect(await json.json()).toMatchObject({ id: expect.any(String), status: 'pending', deliveries: [{ status: 'queued' }] });

      const leads = await leadsOf(id);
      expect(leads.map((l) => [(l.data as { firstName: string }).firstName, (l.data as { lastName: string }).lastName]).sort()).toEqual([
        ['Alan', 'Turing'],
        ['Dorothy', 'Vaughan'],
        ['Katherine', 'Johnson'],
      ]);
      const alan = leads.find((l) => (l.data as { email: string }).email === 'alan@example.com')!;
      expect(alan.data).toMatchObject({ providerType: 'form', customFields: { topic: 'enigma' }, rawFieldData: { name: 'Alan Turing' } });
    });

    it('accepts a filled honeypot silently and stores nothing', async () => {
      const { id, path } = await createSource({ type: 'form', config: { honeypotField: 'website', redirectUrl: 'https://example.com/thanks' } });
      const bot = await post(path, new URLSearchParams({ email: 'bot@spam.example', website: 'http://spam.example' }).toString(), {
        'content-type': 'application/x-www-form-urlencoded',
      });
      expect(bot.status).toBe(303);
      expect(bot.headers.get('location')).toBe('https://example.com/thanks');
      expect(await leadsOf(id)).toHaveLength(0);
      const human = await post(path, new URLSearchParams({ email: 'human@example.com', website: '' }).toString(), {
        'content-type': 'application/x-www-form-urlencoded',
      });
      expect(human.status).toBe(303);
      const leads = await leadsOf(id);
      expect(leads).toHaveLength(1);
      expect((leads[0].data as { rawFieldData: object }).rawFieldData).not.toHaveProperty('website');
      const events = (await t.system.call('GET', `/v1/sources/${id}/events`, { key: t.apiKey })).body.items;
      expect(events.map((e: { outcome: string }) => e.outcome)).toEqual(['accepted', 'ignored']);
    });

    it('answers CORS only for allowed origins and refuses posts from others', async () => {
      const { path } = await createSource({ type: 'form', config: { allowedOrigins: ['https://www.example.com'] } });
      const preflight = await fetch(t.system.url + path, {
        method: 'OPTIONS',
        headers: { origin: 'https://www.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe('https://www.example.com');
      const foreign = await fetch(t.system.url + path, {
        method: 'OPTIONS',
        headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
      });
      expect(foreign.status).toBe(403);
      expect(foreign.headers.get('access-control-allow-origin')).toBeNull();

      const allowed = await post(path, JSON.stringify({ email: 'cors@example.com' }), {
        'content-type': 'application/json',
        origin: 'https://www.example.com',
      });
      expect(allowed.status).toBe(202);
      expect(allowed.headers.get('access-control-allow-origin')).toBe('https://www.example.com');
      const refused = await post(path, JSON.stringify({ email: 'cors2@example.com' }), { 'content-type': 'application/json', origin: 'https://evil.example' });
      expect(refused.status).toBe(403);
      expect((await refused.json()).error.code).toBe('ORIGIN_NOT_ALLOWED');
    });

    it('refuses a body over the limit with 413, other media types with 415, and a flood with 429', async () => {
      const { id, path } = await createSource({ type: 'form', config: { rateLimitPerMinute: 5 } });
      const big = await post(path, 'email=a@b.c&pad=' + 'x'.repeat(70 * 1024), { 'content-type': 'application/x-www-form-urlencoded' });
      expect(big.status).toBe(413);
      const xml = await post(path, '<lead/>', { 'content-type': 'application/xml' });
      expect(xml.status).toBe(415);
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) => post(path, JSON.stringify({ email: `f${i}@example.com` }), { 'content-type': 'application/json' })),
      );
      const statuses = results.map((r) => r.status).sort();
      expect(statuses).toEqual([202, 202, 202, 429, 429, 429]);
      expect(results.find((r) => r.status === 429)!.headers.get('retry-after')).toBe('60');
      expect(await leadsOf(id)).toHaveLength(3);
      expect(await stats(id)).toMatchObject({ received: 8, created: 3, rejected: 5 });
    });
  });

  describe('webhook', () => {
    it('verifies Standard Webhooks signatures and dedupes by webhook-id', async () => {
      const { id, path } = await createSource({ type: 'webhook', credentials: { signingSecret: WEBHOOK_SECRET } });
      const body = JSON.stringify({ email: 'wh@example.com', first_name: 'Web', last_name: 'Hook', plan: 'pro' });
      const signed = (msgId: string, payload = body) => {
        const at = new Date();
        return {
          'content-type': 'application/json',
          'webhook-id': msgId,
          'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
          'webhook-signature': new Webhook(WEBHOOK_SECRET).sign(msgId, at, payload),
        };
      };
      const first = await post(path, body, signed('msg_1'));
      expect(first.status).toBe(202);
      const again = await post(path, body, signed('msg_1'));
      expect(again.status).toBe(200);
      expect(await again.json()).toMatchObject({ duplicate: true });
      const tampered = await post(path, body.replace('pro', 'enterprise'), signed('msg_2'));
      expect(tampered.status).toBe(401);
      const unsigned = await post(path, body, { 'content-type': 'application/json' });
      expect(unsigned.status).toBe(401);
      const leads = await leadsOf(id);
      expect(leads).toHaveLength(1);
      expect(leads[0]).toMatchObject({
        externalId: 'msg_1',
        data: { firstName: 'Web', lastName: 'Hook', fullName: 'Web Hook', customFields: { plan: 'pro' } },
      });
    });

    it('refuses data that cannot be stored as given, naming the field', async () => {
      const { id, path } = await createSource({ type: 'webhook' });
      const res = await post(path, '{"email": "x@example.com", "note": "a\\u0000b"}', { 'content-type': 'application/json' });
      expect(res.status).toBe(400);
      expect((await res.json()).error.message).toContain('note');
      const proto = await post(path, '{"__proto__": {"x": 1}}', { 'content-type': 'application/json' });
      expect(proto.status).toBe(400);
      expect(await leadsOf(id)).toHaveLength(0);
    });
  });

  describe('seed-compatible routes', () => {
    it('answer POST /crm/push/:leadId with x-api-key exactly like POST /v1/leads/:id/push', async () => {
      const lead = await t.system.call('POST', '/v1/leads', { key: t.apiKey, body: { data: { email: 'seed@example.com' } } });
      await waitFor('the first push', () => t.sink.received.some((r) => (r.body as { email?: string }).email === 'seed@example.com'));
      await waitFor(
        'the delivery to settle',
        async () => (await t.system.call('GET', `/v1/leads/${lead.body.id}`, { key: t.apiKey })).body.status === 'synced',
      );
      const twin = await t.system.call('POST', `/v1/leads/${lead.body.id}/push`, { key: t.apiKey, body: {} });
      const seed = await t.system.call('POST', `/crm/push/${lead.body.id}`, {
        headers: { 'x-api-key': t.apiKey, 'content-type': 'application/json' },
        body: '{}',
      });
      expect(seed.status).toBe(202);
      expect(seed.status).toBe(twin.status);
      expect(seed.body).toEqual(twin.body);

      const missingTwin = await t.system.call('POST', '/v1/leads/00000000-0000-7000-8000-000000000000/push', { key: t.apiKey });
      const missingSeed = await t.system.call('POST', '/crm/push/00000000-0000-7000-8000-000000000000', { headers: { 'x-api-key': t.apiKey } });
      expect([missingSeed.status, missingSeed.body]).toEqual([missingTwin.status, missingTwin.body]);
      const noKey = await t.system.call('POST', `/crm/push/${lead.body.id}`);
      expect(noKey.status).toBe(401);
      const badKey = await t.system.call('POST', `/crm/push/${lead.body.id}`, { headers: { 'x-api-key': 'cpk_nope' } });
      expect(badKey.status).toBe(401);
    });

    it('answer /crm/push-pending and /crm/destinations/:id/test like their /v1 twins', async () => {
      const pending = await t.system.call('POST', '/crm/push-pending', { headers: { 'x-api-key': t.apiKey } });
      expect(pending.status).toBe(202);
      expect(Object.keys(pending.body).sort()).toEqual(Object.keys((await t.system.call('POST', '/v1/leads/push-pending', { key: t.apiKey })).body).sort());
      const [dest] = (await t.system.call('GET', '/v1/destinations', { key: t.apiKey })).body.items;
      const seed = await t.system.call('POST', `/crm/destinations/${dest.id}/test`, { headers: { 'x-api-key': t.apiKey } });
      const twin = await t.system.call('POST', `/v1/destinations/${dest.id}/test`, { headers: { 'x-api-key': t.apiKey } });
      expect(seed.status).toBe(200);
      expect({ ...seed.body, latencyMs: 0 }).toEqual({ ...twin.body, latencyMs: 0 });
    });
  });
});
