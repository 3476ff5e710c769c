import { Webhook } from 'standardwebhooks';
import { createFakeGraph, FAKE_PAGE_TOKEN, type FakeGraph } from '@crm-push/testing';
import type { SourceModule, SourceRequest } from './contract';
import type { NormalisedLead } from './normalise';
import { hubSignature } from './meta-lead-ads';
import { sourceModules, sourceModule, SOURCE_TYPES } from './registry';
import { SourceError } from './source-error';

/** What one source type must do; every module in the registry has one, and runs the same suite. */
interface Fixture {
  config: Record<string, unknown>;
  credentials: Record<string, unknown>;
  /** A genuine call carrying Ada Lovelace's lead (for a fetching type: announcing it). */
  valid(): Partial<SourceRequest>;
  /** A call the module must refuse (bad secret or signature), with the status it answers. */
  refused?: { request(): Partial<SourceRequest>; status: number; code: string };
  /** A call whose body cannot be read [the genuine call's headers with truncated JSON]. */
  unparseable?(): Partial<SourceRequest>;
  /** Test set-up for a fetching type: the announced lead on a fake Graph API. */
  fetchFrom?: FakeGraph;
}

const WEBHOOK_SECRET = 'whsec_' + Buffer.from('conformance-webhook-secret').toString('base64');
const json = (body: unknown, headers: Record<string, string> = {}): Partial<SourceRequest> => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  rawBody: Buffer.from(JSON.stringify(body)),
});
const ada = {
  email: ' Ada@Example.COM ',
  full_name: 'Ada Lovelace',
  phone_number: '+44 20 7946 0000',
  company_name: 'Analytical Engines',
  course_interest: 'Math 101',
};
const graph = createFakeGraph();
const metaLeadId = graph.addLead(ada);
const googleLead = {
  lead_id: 'lead-ada-1',
  google_key: 'the-google-key',
  form_id: 40000000000,
  user_column_data: [
    { column_id: 'FULL_NAME', column_name: 'Full Name', string_value: 'Ada Lovelace' },
    { column_id: 'EMAIL', column_name: 'User Email', string_value: ' Ada@Example.COM ' },
    { column_id: 'PHONE_NUMBER', column_name: 'User Phone', string_value: '+44 20 7946 0000' },
    { column_id: 'COMPANY_NAME', column_name: 'Company', string_value: 'Analytical Engines' },
    { column_id: 'course_interest_q', column_name: 'course_interest', string_value: 'Math 101' },
  ],
};
const signedWebhook = () => {
  const raw = JSON.stringify(ada);
  const headers = new Webhook(WEBHOOK_SECRET).sign('msg_ada_1', new Date(), raw);
  return json(ada, { 'webhook-id': 'msg_ada_1', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'webhook-signature': headers });
};

const FIXTURES: Record<keyof typeof sourceModules, Fixture> = {
  form: {
    config: { redirectUrl: 'https://example.com/thanks', honeypotField: 'website' },
    credentials: {},
    valid: () => ({
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      rawBody: Buffer.from(new URLSearchParams({ ...ada, website: '' }).toString()),
    }),
    unparseable: () => ({
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=xyz' },
      rawBody: Buffer.from('--xyz\r\nContent-Disposition: form-data; name="email"\r\n\r\nada@exa'),
    }),
  },
  webhook: {
    config: {},
    credentials: { signingSecret: WEBHOOK_SECRET },
    valid: signedWebhook,
    refused: {
      request: () => ({ ...signedWebhook(), rawBody: Buffer.from(JSON.stringify({ ...ada, email: 'eve@example.com' })) }),
      status: 401,
      code: 'INVALID_SIGNATURE',
    },
  },
  meta_lead_ads: {
    config: { graphBaseUrl: '', graphVersion: 'v21.0' },
    credentials: { appSecret: 'app-secret', verifyToken: 'verify', pageAccessToken: FAKE_PAGE_TOKEN },
    valid: () => {
      const body = { object: 'page', entry: [{ id: '1', time: 1, changes: [{ field: 'leadgen', value: { leadgen_id: metaLeadId } }] }] };
      return json(body, { 'x-hub-signature-256': hubSignature(JSON.stringify(body), 'app-secret') });
    },
    refused: {
      request: () => json({ object: 'page', entry: [] }, { 'x-hub-signature-256': hubSignature('{}', 'app-secret') }),
      status: 401,
      code: 'INVALID_SIGNATURE',
    },
    fetchFrom: graph,
  },
  google_ads: {
    config: {},
    credentials: { googleKey: 'the-google-key' },
    valid: () => json(googleLead),
    refused: { request: () => json({ ...googleLead, google_key: 'guess' }), status: 403, code: 'INVALID_GOOGLE_KEY' },
  },
};

function request(partial: Partial<SourceRequest>): SourceRequest {
  return { method: 'POST', headers: {}, query: new URLSearchParams(), rawBody: Buffer.alloc(0), receivedAt: new Date('2026-03-07T14:30:00Z'), ...partial };
}

beforeAll(async () => {
  await graph.start();
  FIXTURES.meta_lead_ads.config.graphBaseUrl = graph.url;
});
afterAll(() => graph.stop());

it('has a conformance fixture for every registered source type', () => {
  expect(Object.keys(FIXTURES).sort()).toEqual([...SOURCE_TYPES].sort());
  for (const type of SOURCE_TYPES) expect(sourceModule(type).type).toBe(type);
  expect(() => sourceModule('linkedin')).toThrow('unknown source type "linkedin"');
});

describe.each(SOURCE_TYPES)('source module %s', (type) => {
  const module: SourceModule = sourceModules[type];
  const fixture = FIXTURES[type];
  const ctx = () => ({
    config: module.configSchema.parse(fixture.config),
    credentials: module.credentialsSchema.parse(fixture.credentials),
    allowPrivateNetworks: true,
  });

  /** The normalised lead a genuine call yields, fetched when the type only announces leads. */
  async function leadOfValidCall(): Promise<NormalisedLead> {
    const intake = await module.receive(request(fixture.valid()), ctx());
    if (intake.kind === 'fetch') {
      expect(module.fetchLead).toBeDefined();
      expect(intake.refs).toHaveLength(1);
      return module.fetchLead!(intake.refs[0], ctx(), new Date('2026-03-07T14:30:00Z'));
    }
    if (intake.kind !== 'leads') throw new Error(`expected leads, got ${intake.kind}`);
    expect(intake.leads).toHaveLength(1);
    return intake.leads[0];
  }

  it('declares its config, credentials, methods, body limit and rate limit', () => {
    expect(module.configSchema.safeParse(fixture.config).success).toBe(true);
    expect(module.credentialsSchema.safeParse(fixture.credentials).success).toBe(true);
    expect(module.methods).toContain('POST');
    expect(module.maxBodyBytes).toBeGreaterThan(0);
    expect(module.defaultRateLimitPerMinute).toBeGreaterThan(0);
    expect([200, 202]).toContain(module.acceptedStatus);
  });

  it('normalises a genuine call into the one lead format, keeping every raw field', async () => {
    const lead = await leadOfValidCall();
    expect(lead).toMatchObject({
      providerType: type,
      providerLeadId: expect.any(String),
      email: 'ada@example.com',
      firstName: 'Ada',
      lastName: 'Lovelace',
      fullName: 'Ada Lovelace',
      phoneNumber: '+44 20 7946 0000',
      company: 'Analytical Engines',
      customFields: { course_interest: 'Math 101' },
      receivedAt: '2026-03-07T14:30:00.000Z',
    });
    expect(Object.keys(lead.customFields)).toEqual(['course_interest']);
    expect(Object.values(lead.rawFieldData)).toEqual(expect.arrayContaining(['Ada Lovelace', 'Math 101']));
    expect(lead.providerLeadId.length).toBeGreaterThan(0);
  });

  it('refuses a body that does not parse with a 4xx SourceError', async () => {
    const broken = request(fixture.unparseable?.() ?? { ...fixture.valid(), rawBody: Buffer.from('{"email": ') });
    const err = await Promise.resolve()
      .then(() => module.receive(broken, ctx()))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect((err as SourceError).status).toBeGreaterThanOrEqual(400);
    expect((err as SourceError).status).toBeLessThan(500);
  });

  if (fixture.refused) {
    const refused = fixture.refused;
    it(`refuses an unauthenticated call with ${refused.status} ${refused.code}`, async () => {
      await expect(Promise.resolve().then(() => module.receive(request(refused.request()), ctx()))).rejects.toMatchObject({
        status: refused.status,
        code: refused.code,
      });
    });
  }
});
