import { hubSignature } from '@crm-push/sources';
import { createFakeGraph, createFakeHubSpot, createFakeSalesforce, FAKE_HUBSPOT_TOKEN, FAKE_PAGE_TOKEN, useStack, waitFor } from '@crm-push/testing';

const APP_SECRET = 'meta-app-secret-for-tests';
const VERIFY_TOKEN = 'verify-me-please';

/** A Page webhook notification with one leadgen change per id. */
function notification(leadgenIds: string[]) {
  return {
    object: 'page',
    entry: [
      {
        id: '1234',
        time: 1700000000,
        changes: leadgenIds.map((id) => ({
          field: 'leadgen',
          value: { leadgen_id: id, page_id: '1234', form_id: '555', ad_id: '777', created_time: 1700000000 },
        })),
      },
    ],
  };
}

describe('Meta Lead Ads through the api and worker processes, a fake Graph API and fake CRMs', () => {
  const graph = createFakeGraph();
  const salesforce = createFakeSalesforce();
  const hubspot = createFakeHubSpot();
  const t = useStack({ fakes: [graph, salesforce, hubspot], api: { PUBLIC_URL: 'https://push.example.com' }, workers: [{}] });
  let key: string;
  let ingestUrl: string;
  let sourceId: string;

  beforeAll(async () => {
    key = (await t.api.createAccount()).apiKey;
    const sf = await t.api.call('POST', '/v1/destinations', {
      key,
      body: { name: 'SF', type: 'salesforce', config: { instanceUrl: salesforce.url }, credentials: { accessToken: 'sf-access-token' } },
    });
    const hs = await t.api.call('POST', '/v1/destinations', {
      key,
      body: { name: 'HS', type: 'hubspot', config: { baseUrl: hubspot.url }, credentials: { accessToken: FAKE_HUBSPOT_TOKEN } },
    });
    expect([sf.status, hs.status]).toEqual([201, 201]);
    const source = await t.api.call('POST', '/v1/sources', {
      key,
      body: {
        name: 'Spring campaign',
        type: 'meta_lead_ads',
        config: { graphBaseUrl: graph.url, graphVersion: 'v21.0' },
        credentials: { appSecret: APP_SECRET, verifyToken: VERIFY_TOKEN, pageAccessToken: FAKE_PAGE_TOKEN },
      },
    });
    expect(source.status).toBe(201);
    sourceId = source.body.id;
    expect(source.body.ingestUrl).toMatch(/^https:\/\/push\.example\.com\/in\/src_[A-Za-z0-9_-]{32}$/);
    ingestUrl = t.api.url + new URL(source.body.ingestUrl).pathname;
  });

  const post = (body: unknown, signature?: string) => {
    const raw = JSON.stringify(body);
    return fetch(ingestUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(signature !== undefined ? { 'x-hub-signature-256': signature } : {}) },
      body: raw,
    });
  };
  const signedPost = (body: unknown) => post(body, hubSignature(JSON.stringify(body), APP_SECRET));
  const leadsOf = (externalIds: string[]) => t.stack.database.db.lead.findMany({ where: { source: sourceId, externalId: { in: externalIds } } });
  const source = async () => (await t.api.call('GET', `/v1/sources/${sourceId}`, { key })).body;

  it('answers the verification handshake with the challenge for the right token and 403 for a wrong one', async () => {
    const right = await fetch(`${ingestUrl}?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1158201444`);
    expect(right.status).toBe(200);
    expect(right.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await right.text()).toBe('1158201444');
    const wrong = await fetch(`${ingestUrl}?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1158201444`);
    expect(wrong.status).toBe(403);
    expect((await wrong.json()).error.code).toBe('VERIFY_TOKEN_MISMATCH');
  });

  it('turns a signed leadgen webhook into a Salesforce Lead and a HubSpot contact within seconds; a replay creates nothing new', async () => {
    const leadgenId = graph.addLead({
      full_name: 'John Doe',
      email: 'John@Example.com',
      phone_number: '+1234567890',
      company_name: 'Acme Inc',
      city: 'NYC',
      course_interest: 'Math 101',
    });
    const started = Date.now();
    const res = await signedPost(notification([leadgenId]));
    expect(res.status).toBe(200);

    const record = await waitFor(
      'the lead in Salesforce and HubSpot',
      () => {
        const sfLead = (salesforce.records.get('Lead') ?? []).find((r) => r.Email === 'john@example.com');
        const contact = hubspot.contacts.all().find((c) => c.properties.email === 'john@example.com');
        return sfLead && contact ? { sfLead, contact } : undefined;
      },
      { timeoutMs: 10_000 },
    );
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(record.sfLead).toMatchObject({ FirstName: 'John', LastName: 'Doe', Email: 'john@example.com', Phone: '+1234567890', Company: 'Acme Inc' });
    expect(record.contact.properties).toMatchObject({
      firstname: 'John',
      lastname: 'Doe',
      email: 'john@example.com',
      phone: '+1234567890',
      company: 'Acme Inc',
    });

    const [lead] = await leadsOf([leadgenId]);
    expect(lead.data).toMatchObject({
      providerType: 'meta_lead_ads',
      providerLeadId: leadgenId,
      email: 'john@example.com',
      firstName: 'John',
      lastName: 'Doe',
      fullName: 'John Doe',
      phoneNumber: '+1234567890',
      company: 'Acme Inc',
      customFields: { course_interest: 'Math 101' },
      rawFieldData: { city: 'NYC', full_name: 'John Doe', course_interest: 'Math 101' },
    });
    expect((lead.data as { customFields: object }).customFields).not.toHaveProperty('city');

    // Meta retries for hours: the same notification again stores nothing and calls no CRM again.
    const sfCalls = salesforce.server.requests.length;
    const hsCalls = hubspot.server.requests.length;
    const replay = await signedPost(notification([leadgenId]));
    expect(replay.status).toBe(200);
    expect(await replay.json()).toMatchObject({ received: 1, queued: 0, duplicates: 1 });
    await new Promise((r) => setTimeout(r, 500));
    expect(await leadsOf([leadgenId])).toHaveLength(1);
    expect((salesforce.records.get('Lead') ?? []).filter((r) => r.Email === 'john@example.com')).toHaveLength(1);
    expect(hubspot.contacts.all().filter((c) => c.properties.email === 'john@example.com')).toHaveLength(1);
    expect(salesforce.server.requests.length).toBe(sfCalls);
    expect(hubspot.server.requests.length).toBe(hsCalls);
    expect(graph.fetchesOf(leadgenId)).toBe(1);
    expect((await source()).stats).toMatchObject({ created: 1, duplicates: 1 });
  });

  it('refuses a bad or missing signature with 401 and stores nothing', async () => {
    const leadgenId = graph.addLead({ email: 'mallory@example.com' });
    const body = notification([leadgenId]);
    const before = (await source()).stats.rejected;
    const forged = await post(body, hubSignature(JSON.stringify(body), 'not-the-app-secret'));
    const missing = await post(body);
    // Signed over different bytes than those sent: the raw body is what is checked.
    const reordered = await post({ entry: body.entry, object: 'page' }, hubSignature(JSON.stringify(body), APP_SECRET));
    for (const res of [forged, missing, reordered]) {
      expect(res.status).toBe(401);
      expect((await res.json()).error.code).toBe('INVALID_SIGNATURE');
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(await leadsOf([leadgenId])).toHaveLength(0);
    expect(graph.fetchesOf(leadgenId)).toBe(0);
    expect((await source()).stats.rejected).toBe(before + 3);
    const events = (await t.api.call('GET', `/v1/sources/${sourceId}/events?limit=3`, { key })).body.items;
    expect(events.map((e: { outcome: string; error: { code: string } }) => [e.outcome, e.error.code])).toEqual(
      Array(3).fill(['rejected', 'INVALID_SIGNATURE']),
    );
  });

  it('stores one lead when the same leadgen_id is posted 5 times at once', async () => {
    const leadgenId = graph.addLead({ email: 'five@example.com', full_name: 'Five Times' });
    const before = (await source()).stats;
    const answers = await Promise.all(Array.from({ length: 5 }, () => signedPost(notification([leadgenId]))));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    await waitFor('the lead', async () => (await leadsOf([leadgenId])).length === 1);
    // Each post is counted once: one created, four duplicates (found before or after the fetch).
    const after = await waitFor('all five posts to be counted', async () => {
      const { stats } = await source();
      return stats.created + stats.duplicates - before.created - before.duplicates === 5 ? stats : undefined;
    });
    expect(after.created - before.created).toBe(1);
    expect(await leadsOf([leadgenId])).toHaveLength(1);
    expect(await t.stack.database.db.delivery.count({ where: { lead: { source: sourceId, externalId: leadgenId } } })).toBe(2);
  });

  it('stores 3 leads from one post with 3 changes', async () => {
    const ids = [graph.addLead({ email: 'one@example.com' }), graph.addLead({ email: 'two@example.com' }), graph.addLead({ email: 'three@example.com' })];
    const res = await signedPost(notification(ids));
    expect(await res.json()).toMatchObject({ received: 3, queued: 3 });
    const leads = await waitFor('3 leads', async () => {
      const found = await leadsOf(ids);
      return found.length === 3 ? found : undefined;
    });
    expect(leads.map((l) => (l.data as { email: string }).email).sort()).toEqual(['one@example.com', 'three@example.com', 'two@example.com']);
    // Stored is not the end: each lead goes on to both CRMs (and the stack's closing check finds no delivery still waiting for its job).
    await waitFor('the 6 deliveries to succeed', async () => {
      const deliveries = await t.stack.database.db.delivery.findMany({ where: { leadId: { in: leads.map((l) => l.id) } }, select: { status: true } });
      return deliveries.length === 6 && deliveries.every((d) => d.status === 'succeeded');
    });
  });

  it('names an expired page token on the source as a clear error, without retrying it', async () => {
    const leadgenId = graph.addLead({ email: 'expired@example.com' });
    graph.pageTokens.clear();
    try {
      await signedPost(notification([leadgenId]));
      const failed = await waitFor('the source to show the error', async () => {
        const s = await source();
        return s.stats.lastError?.code === 'PAGE_TOKEN_INVALID' ? s : undefined;
      });
      expect(failed.stats.lastError.message).toMatch(/page access token.*OAuthException 190\/463/);
      expect(failed.stats.lastError.message).not.toContain(FAKE_PAGE_TOKEN);
      expect(graph.fetchesOf(leadgenId)).toBe(1);
      const events = (await t.api.call('GET', `/v1/sources/${sourceId}/events?limit=1`, { key })).body.items;
      expect(events[0]).toMatchObject({ outcome: 'fetch_failed', error: { code: 'PAGE_TOKEN_INVALID' } });
      expect(await leadsOf([leadgenId])).toHaveLength(0);
    } finally {
      graph.pageTokens.add(FAKE_PAGE_TOKEN);
    }
  });

  it('answers an unknown or rotated token with 404', async () => {
    const rotated = await t.api.call('POST', `/v1/sources/${sourceId}/rotate`, { key });
    expect(rotated.status).toBe(200);
    const old = await fetch(`${ingestUrl}?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1`);
    expect(old.status).toBe(404);
    ingestUrl = t.api.url + new URL(rotated.body.ingestUrl).pathname;
    const fresh = await fetch(`${ingestUrl}?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=7`);
    expect(await fresh.text()).toBe('7');
    expect((await fetch(`${t.api.url}/in/src_unknown`, { method: 'POST' })).status).toBe(404);
  });
});
