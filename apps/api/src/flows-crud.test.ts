import { startSystem, type TestSystem } from './test-support/system';

const SECRET = 'whsec_' + Buffer.from('flow-secret-key-of-32-bytes-long').toString('base64');

describe('/v1/flows', () => {
  let system: TestSystem;
  let apiKey: string;
  let destinationId: string;

  beforeAll(async () => {
    system = await startSystem({ workers: false });
  });
  afterAll(() => system?.stop());
  beforeEach(async () => {
    ({ apiKey } = await system.createAccount());
    destinationId = await addDestination(apiKey);
  });

  async function addDestination(key: string) {
    const res = await system.call('POST', '/v1/destinations', {
      key,
      body: { name: 'sink', type: 'custom', routing: 'flows', config: { url: 'http://127.0.0.1:9/leads' } },
    });
    expect(res.status).toBe(201);
    return res.body.id as string;
  }

  function flowBody(overrides: Record<string, unknown> = {}) {
    return {
      name: 'EU leads to sales',
      when: { all: [{ field: 'data.country', op: 'in', value: ['DE', 'FR'] }] },
      actions: [
        { type: 'crm_push', destinationIds: [destinationId] },
        { type: 'slack', webhookUrl: 'http://127.0.0.1:9/slack', text: 'New lead {{data.email}}' },
        { type: 'email', to: ['sales@example.com'], subject: 'Lead', text: 'Hi {{data.email}}' },
        { type: 'webhook', url: 'http://127.0.0.1:9/hook', signingSecret: SECRET },
      ],
      ...overrides,
    };
  }

  async function create(body: unknown = flowBody()) {
    const res = await system.call('POST', '/v1/flows', { key: apiKey, body });
    expect(res.status).toBe(201);
    return res.body;
  }

  function refusal(res: { status: number; body: any }) {
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
    return (res.body.error.details as { path: string; message: string }[]).map((d) => d.path);
  }

  it('creates a flow and shows it without the signing secret', async () => {
    const flow = await create();
    expect(flow).toMatchObject({ name: 'EU leads to sales', enabled: true, when: flowBody().when });
    expect(flow.actions[3]).toEqual({ type: 'webhook', url: 'http://127.0.0.1:9/hook', hasSigningSecret: true });
    // A Slack webhook URL is a credential: shown as host + last 4 characters.
    expect(flow.actions[1]).toEqual({ type: 'slack', webhookUrlHint: '127.0.0.1:9 …lack', text: 'New lead {{data.email}}' });
    expect(flow.actions[0]).toEqual(flowBody().actions[0]);
    expect(flow.actions[2]).toEqual(flowBody().actions[2]);
    expect(JSON.stringify(flow)).not.toContain(SECRET);
    expect(JSON.stringify(flow)).not.toContain('/slack');

    const read = await system.call('GET', `/v1/flows/${flow.id}`, { key: apiKey });
    expect(read.status).toBe(200);
    expect(read.body).toEqual(flow);
    const list = await system.call('GET', '/v1/flows', { key: apiKey });
    expect(list.body.items).toEqual([flow]);
  });

  it('stores the signing secret encrypted, never in plain text', async () => {
    const flow = await create();
    const [row] = await system.deps.db.$queryRaw<{ actions: unknown }[]>`SELECT actions FROM flows WHERE id = ${flow.id}`;
    const stored = JSON.stringify(row.actions);
    expect(stored).not.toContain(SECRET);
    expect(stored).not.toContain(SECRET.slice('whsec_'.length));
    const webhook = (row.actions as any[])[3];
    expect(webhook.signingSecret).toBeUndefined();
    expect(system.deps.secrets.open(webhook.sealedSigningSecret)).toBe(SECRET);
  });

  it('stores the Slack webhook URL sealed, and refuses its hint sent back in place of the URL', async () => {
    const flow = await create();
    const [row] = await system.deps.db.$queryRaw<{ actions: unknown }[]>`SELECT actions FROM flows WHERE id = ${flow.id}`;
    expect(JSON.stringify(row.actions)).not.toContain('127.0.0.1:9/slack');
    const slack = (row.actions as any[])[1];
    expect(slack.webhookUrl).toBeUndefined();
    expect(system.deps.secrets.open(slack.sealedWebhookUrl)).toBe('http://127.0.0.1:9/slack');

    const echoed = await system.call('PATCH', `/v1/flows/${flow.id}`, { key: apiKey, body: { actions: [flow.actions[1]] } });
    expect(refusal(echoed)).toEqual(['actions.0.webhookUrlHint']);
  });

  it('a webhook without a secret shows hasSigningSecret: false', async () => {
    const flow = await create(flowBody({ actions: [{ type: 'webhook', url: 'http://127.0.0.1:9/hook' }] }));
    expect(flow.actions).toEqual([{ type: 'webhook', url: 'http://127.0.0.1:9/hook', hasSigningSecret: false }]);
  });

  it('patches name and enabled, keeping actions and their secret', async () => {
    const flow = await create();
    const res = await system.call('PATCH', `/v1/flows/${flow.id}`, { key: apiKey, body: { name: 'renamed', enabled: false } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: 'renamed', enabled: false, when: flow.when, actions: flow.actions });
    const row = await system.deps.db.flow.findUniqueOrThrow({ where: { id: flow.id } });
    expect(system.deps.secrets.open((row.actions as any[])[3].sealedSigningSecret)).toBe(SECRET);
  });

  it('replaces actions on PATCH: a webhook is signed only if its secret is sent again', async () => {
    const flow = await create();
    const unsigned = await system.call('PATCH', `/v1/flows/${flow.id}`, {
      key: apiKey,
      body: { actions: [{ type: 'webhook', url: 'http://127.0.0.1:9/hook' }] },
    });
    expect(unsigned.status).toBe(200);
    expect(unsigned.body.actions).toEqual([{ type: 'webhook', url: 'http://127.0.0.1:9/hook', hasSigningSecret: false }]);

    const signed = await system.call('PATCH', `/v1/flows/${flow.id}`, {
      key: apiKey,
      body: { actions: [{ type: 'webhook', url: 'http://127.0.0.1:9/other', signingSecret: 'plain secret' }] },
    });
    expect(signed.body.actions).toEqual([{ type: 'webhook', url: 'http://127.0.0.1:9/other', hasSigningSecret: true }]);
  });

  it('refuses actions sent back as read (hasSigningSecret, webhookUrlHint), explaining that the secrets must be re-sent', async () => {
    const flow = await create();
    const res = await system.call('PATCH', `/v1/flows/${flow.id}`, { key: apiKey, body: { actions: flow.actions } });
    expect(refusal(res)).toEqual(['actions.1.webhookUrlHint', 'actions.3.hasSigningSecret']);
    expect(res.body.error.message).toContain('send signingSecret again');
    const unchanged = await system.call('GET', `/v1/flows/${flow.id}`, { key: apiKey });
    expect(unchanged.body.actions[3].hasSigningSecret).toBe(true);
  });

  it('patches the condition', async () => {
    const flow = await create();
    const when = {
      any: [
        { field: 'data.score', op: 'gt', value: 50 },
        { field: 'source', op: 'eq', value: 'ads' },
      ],
    };
    const res = await system.call('PATCH', `/v1/flows/${flow.id}`, { key: apiKey, body: { when } });
    expect(res.status).toBe(200);
    expect(res.body.when).toEqual(when);
  });

  it('deletes a flow', async () => {
    const flow = await create();
    expect((await system.call('DELETE', `/v1/flows/${flow.id}`, { key: apiKey })).status).toBe(204);
    expect((await system.call('GET', `/v1/flows/${flow.id}`, { key: apiKey })).status).toBe(404);
    expect((await system.call('DELETE', `/v1/flows/${flow.id}`, { key: apiKey })).status).toBe(404);
    expect((await system.call('GET', '/v1/flows', { key: apiKey })).body.items).toEqual([]);
  });

  it("answers 404 for another account's flow, and lists only the caller's", async () => {
    const flow = await create();
    const other = await system.createAccount('Other');
    for (const [method, body] of [['GET'], ['PATCH', { name: 'mine now' }], ['DELETE']] as const) {
      const res = await system.call(method, `/v1/flows/${flow.id}`, { key: other.apiKey, body });
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('NOT_FOUND');
    }
    expect((await system.call('GET', '/v1/flows', { key: other.apiKey })).body.items).toEqual([]);
    expect((await system.call('GET', `/v1/flows/${flow.id}`, { key: apiKey })).body.name).toBe('EU leads to sales');
  });

  it('answers 404 for an unknown id', async () => {
    expect((await system.call('GET', '/v1/flows/not-a-flow', { key: apiKey })).status).toBe(404);
  });

  it.each([
    ['an unknown operator', 'when.all.0.op', { when: { all: [{ field: 'data.country', op: 'like', value: 'D%' }] } }],
    ['a condition without a field', 'when.all.0.field', { when: { all: [{ op: 'eq', value: 'DE' }] } }],
    ['a pattern RE2 cannot run (a backreference)', 'when.value', { when: { field: 'data.email', op: 'matches', value: '(a)\\1' } }],
    ['a Slack action without webhookUrl', 'actions.0.webhookUrl', { actions: [{ type: 'slack', text: 'hi' }] }],
    ['an email action without recipients', 'actions.0.to', { actions: [{ type: 'email', subject: 's', text: 't' }] }],
    ['an email action with a broken template', 'actions.0.subject', { actions: [{ type: 'email', to: ['a@example.com'], subject: '{{ data.x', text: 't' }] }],
    ['a webhook action without url', 'actions.0.url', { actions: [{ type: 'webhook' }] }],
    ['a crm_push naming no destination', 'actions.0.destinationIds', { actions: [{ type: 'crm_push', destinationIds: [] }] }],
    ['an unknown action type', 'actions.0.type', { actions: [{ type: 'sms', to: '+49' }] }],
    ['no actions', 'actions', { actions: [] }],
    ['a missing name', 'name', { name: undefined }],
  ])('refuses %s, naming %s', async (_what, path, overrides) => {
    const res = await system.call('POST', '/v1/flows', { key: apiKey, body: flowBody(overrides) });
    expect(refusal(res)).toContain(path);
    expect(res.body.error.message).toContain(path);
  });

  it('refuses the same mistakes on PATCH, changing nothing', async () => {
    const flow = await create();
    const res = await system.call('PATCH', `/v1/flows/${flow.id}`, { key: apiKey, body: { when: { field: 'data.country', op: 'like' } } });
    expect(refusal(res)).toEqual(['when.op']);
    expect((await system.call('GET', `/v1/flows/${flow.id}`, { key: apiKey })).body.when).toEqual(flow.when);
  });

  it('refuses a crm_push naming an unknown destination, naming its position in the request', async () => {
    const res = await system.call('POST', '/v1/flows', {
      key: apiKey,
      body: flowBody({ actions: [{ type: 'crm_push', destinationIds: [destinationId, destinationId, 'no-such-destination'] }] }),
    });
    expect(refusal(res)).toEqual(['actions.0.destinationIds.2']);
    expect(res.body.error.message).toContain('no-such-destination');
  });

  it("refuses a crm_push naming another account's destination, exactly as an unknown one", async () => {
    const other = await system.createAccount('Other');
    const foreign = await addDestination(other.apiKey);
    const res = await system.call('POST', '/v1/flows', {
      key: apiKey,
      body: flowBody({
        actions: [
          { type: 'slack', webhookUrl: 'http://127.0.0.1:9/s', text: 'x' },
          { type: 'crm_push', destinationIds: [destinationId, foreign] },
        ],
      }),
    });
    expect(refusal(res)).toEqual(['actions.1.destinationIds.1']);
    expect(res.body.error.details[0].message).toBe(`no destination with id "${foreign}"`);

    const flow = await create();
    const patched = await system.call('PATCH', `/v1/flows/${flow.id}`, { key: apiKey, body: { actions: [{ type: 'crm_push', destinationIds: [foreign] }] } });
    expect(refusal(patched)).toEqual(['actions.0.destinationIds.0']);
  });

  it('refuses a crm_push naming a deleted destination', async () => {
    await system.call('DELETE', `/v1/destinations/${destinationId}`, { key: apiKey });
    const res = await system.call('POST', '/v1/flows', { key: apiKey, body: flowBody() });
    expect(refusal(res)).toEqual(['actions.0.destinationIds.0']);
  });
});

describe('/v1/flows without ALLOW_PRIVATE_DESTINATIONS', () => {
  let system: TestSystem;
  let apiKey: string;

  beforeAll(async () => {
    system = await startSystem({ workers: false, env: { ALLOW_PRIVATE_DESTINATIONS: 'false' } });
    ({ apiKey } = await system.createAccount());
  });
  afterAll(() => system?.stop());

  it('refuses Slack and webhook URLs on loopback or private networks, naming each', async () => {
    const res = await system.call('POST', '/v1/flows', {
      key: apiKey,
      body: {
        name: 'internal',
        when: { field: 'data.country', op: 'exists' },
        actions: [
          { type: 'slack', webhookUrl: 'http://127.0.0.1:8080/slack', text: 'hi' },
          { type: 'email', to: ['a@example.com'], subject: 's', text: 't' },
          { type: 'webhook', url: 'http://10.0.0.7/hook' },
        ],
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: any) => d.path)).toEqual(['actions.0.webhookUrl', 'actions.2.url']);
    expect(res.body.error.details[0].message).toContain('loopback');
  });

  it('accepts public IP addresses', async () => {
    const res = await system.call('POST', '/v1/flows', {
      key: apiKey,
      body: { name: 'public', when: { field: 'data.country', op: 'exists' }, actions: [{ type: 'webhook', url: 'https://93.184.215.14/hook' }] },
    });
    expect(res.status).toBe(201);
  });
});
