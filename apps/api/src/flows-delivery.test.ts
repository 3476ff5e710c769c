import { randomUUID } from 'node:crypto';
import { ingestLead } from '@crm-push/delivery';
import { FakeServer, type RecordedRequest, type SmtpSink, startSmtpSink } from '@crm-push/testing';
import { Webhook } from 'standardwebhooks';
import { startSystem, type TestSystem } from './test-support/system';

const SECRET = 'whsec_' + Buffer.from('flow-secret-key-of-32-bytes-long').toString('base64');

/** Two custom CRM endpoints, a Slack incoming webhook and a webhook receiver on one local server. */
function createReceiver() {
  const server = new FakeServer();
  for (const name of ['flows-dest', 'all-dest']) server.route(name, 'POST', `/${name}`, () => ({ status: 201, body: { id: randomUUID() } }));
  server.route('slack', 'POST', '/slack', () => ({ status: 200, body: 'ok' }));
  server.route('hook', 'POST', '/hook', () => ({ status: 204 }));
  return server;
}

function headersOf(req: RecordedRequest): Record<string, string> {
  return Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
}

/** Helpers bound to one system, receiver and account. */
function client(system: TestSystem, receiver: FakeServer, key: () => string) {
  const api = {
    async addDestination(path: string, routing: 'all' | 'flows', extra: Record<string, unknown> = {}) {
      const res = await system.call('POST', '/v1/destinations', {
        key: key(),
        body: { name: path, type: 'custom', routing, config: { url: receiver.url + path, timeoutMs: 1000 }, ...extra },
      });
      expect(res.status).toBe(201);
      return res.body.id as string;
    },
    async addFlow(body: Record<string, unknown>) {
      const res = await system.call('POST', '/v1/flows', { key: key(), body: { name: 'flow', ...body } });
      expect(res.status).toBe(201);
      return res.body.id as string;
    },
    postLead: (data: Record<string, unknown>) => system.postLead(key(), data),
    /** The lead once every delivery and action has finished. */
    settled: (leadId: string) => system.settled(leadId, key()),
  };
  return api;
}

describe('flows route leads to CRMs, Slack, email and webhooks', () => {
  let system: TestSystem;
  let receiver: FakeServer;
  let smtp: SmtpSink;
  let apiKey: string;
  let api: ReturnType<typeof client>;

  beforeAll(async () => {
    receiver = createReceiver();
    await receiver.start();
    smtp = await startSmtpSink();
    system = await startSystem({ env: { SMTP_URL: smtp.url } });
    api = client(system, receiver, () => apiKey);
  });
  afterAll(async () => {
    try {
      await system?.expectNoBrokenDeliveries();
    } finally {
      await receiver?.stop();
      await smtp?.close();
      await system?.stop();
    }
  });
  beforeEach(async () => {
    receiver.resetScripts();
    smtp.received.length = 0;
    ({ apiKey } = await system.createAccount());
  });

  const slack = () => ({ type: 'slack', webhookUrl: `${receiver.url}/slack`, text: 'New lead {{data.email}} from {{data.country}}' });

  it('sends a German lead to the flows-routed CRM, Slack, SMTP and the signed webhook; a US lead to none; the all-routed CRM gets both', async () => {
    const flowsDest = await api.addDestination('/flows-dest', 'flows');
    const allDest = await api.addDestination('/all-dest', 'all');
    const flowId = await api.addFlow({
      name: 'German leads',
      when: { all: [{ field: 'data.country', op: 'in', value: ['DE'] }] },
      actions: [
        { type: 'crm_push', destinationIds: [flowsDest] },
        slack(),
        { type: 'email', to: ['sales@example.com'], subject: 'New lead: {{data.email}}', text: 'Call {{data.firstName}} today.' },
        { type: 'webhook', url: `${receiver.url}/hook`, signingSecret: SECRET },
      ],
    });

    const germanId = await api.postLead({ email: 'ada@example.de', firstName: 'Ada', country: 'DE' });
    const usId = await api.postLead({ email: 'bob@example.com', firstName: 'Bob', country: 'US' });
    const german = await api.settled(germanId);
    const us = await api.settled(usId);

    // The German lead: both CRMs, and three actions, each its own succeeded job.
    expect(german.status).toBe('synced');
    expect(german.deliveries.map((d: any) => [d.destinationId, d.status]).sort()).toEqual(
      [
        [allDest, 'succeeded'],
        [flowsDest, 'succeeded'],
      ].sort(),
    );
    expect(german.actions).toEqual([
      expect.objectContaining({ type: 'slack', flowId, actionIndex: 1, status: 'succeeded', attempts: 1, lastStatusCode: 200, lastError: null }),
      expect.objectContaining({ type: 'email', flowId, actionIndex: 2, status: 'succeeded', attempts: 1, lastStatusCode: 250, lastError: null }),
      expect.objectContaining({ type: 'webhook', flowId, actionIndex: 3, status: 'succeeded', attempts: 1, lastStatusCode: 204, lastError: null }),
    ]);
    // The US lead: only the all-routed CRM.
    expect(us.deliveries).toEqual([expect.objectContaining({ destinationId: allDest, status: 'succeeded' })]);
    expect(us.actions).toEqual([]);

    expect(receiver.callsTo('flows-dest').map((r) => r.body.email)).toEqual(['ada@example.de']);
    expect(
      receiver
        .callsTo('all-dest')
        .map((r) => r.body.email)
        .sort(),
    ).toEqual(['ada@example.de', 'bob@example.com']);
    expect(receiver.callsTo('slack').map((r) => r.body)).toEqual([{ text: 'New lead ada@example.de from DE' }]);

    expect(smtp.received).toHaveLength(1);
    expect(smtp.received[0].to).toEqual(['sales@example.com']);
    expect(smtp.received[0].raw).toContain('Subject: New lead: ada@example.de');
    expect(smtp.received[0].raw).toContain('Call Ada today.');

    const [hook] = receiver.callsTo('hook');
    expect(receiver.callsTo('hook')).toHaveLength(1);
    expect(hook.headers['webhook-id']).toBe(german.actions[2].id);
    const verified = new Webhook(SECRET).verify(hook.rawBody, headersOf(hook));
    expect(verified).toMatchObject({ id: germanId, data: { email: 'ada@example.de', country: 'DE' } });
  });

  it('gives a destination named by routing "all" and by two flows one delivery', async () => {
    const allDest = await api.addDestination('/all-dest', 'all');
    const everyone = { field: 'data.email', op: 'exists' };
    await api.addFlow({ when: everyone, actions: [{ type: 'crm_push', destinationIds: [allDest, allDest] }] });
    await api.addFlow({ when: everyone, actions: [{ type: 'crm_push', destinationIds: [allDest] }] });

    const lead = await api.settled(await api.postLead({ email: 'ada@example.com' }));
    expect(lead.deliveries).toEqual([expect.objectContaining({ destinationId: allDest, status: 'succeeded' })]);
    expect(receiver.callsTo('all-dest')).toHaveLength(1);
  });

  it('routes nothing through a disabled flow, and nothing to a disabled destination', async () => {
    const flowsDest = await api.addDestination('/flows-dest', 'flows');
    const flowId = await api.addFlow({
      enabled: false,
      when: { field: 'data.email', op: 'exists' },
      actions: [{ type: 'crm_push', destinationIds: [flowsDest] }, slack()],
    });
    let lead = await api.settled(await api.postLead({ email: 'ada@example.com' }));
    expect(lead).toMatchObject({ status: 'pending', deliveries: [], actions: [] });

    await system.call('PATCH', `/v1/flows/${flowId}`, { key: apiKey, body: { enabled: true } });
    await system.call('PATCH', `/v1/destinations/${flowsDest}`, { key: apiKey, body: { enabled: false } });
    lead = await api.settled(await api.postLead({ email: 'bob@example.com' }));
    expect(lead.deliveries).toEqual([]);
    expect(lead.actions).toEqual([expect.objectContaining({ type: 'slack', status: 'succeeded' })]);
    expect(receiver.callsTo('flows-dest')).toHaveLength(0);
  });

  it('evaluates nested any/all conditions', async () => {
    await api.addFlow({
      when: {
        any: [
          {
            all: [
              { field: 'data.country', op: 'eq', value: 'DE' },
              { field: 'data.score', op: 'gt', value: 50 },
            ],
          },
          { field: 'data.email', op: 'matches', value: '@vip\\.example$' },
        ],
      },
      actions: [slack()],
    });
    const cases: [Record<string, unknown>, number][] = [
      [{ email: 'a@example.com', country: 'DE', score: '80' }, 1],
      [{ email: 'b@example.com', country: 'DE', score: 20 }, 0],
      [{ email: 'c@vip.example', country: 'US' }, 1],
    ];
    for (const [data, actions] of cases) {
      const lead = await api.settled(await api.postLead(data));
      expect(lead.actions).toHaveLength(actions);
    }
    expect(receiver.callsTo('slack')).toHaveLength(2);
  });

  it('retries a Slack action answering 500, which then succeeds with attempts 2 and an attempt log', async () => {
    await api.addFlow({ when: { field: 'data.email', op: 'exists' }, actions: [slack()] });
    receiver.script('slack', [{ status: 500, body: 'internal_error' }]);
    const lead = await api.settled(await api.postLead({ email: 'ada@example.com', country: 'DE' }));
    expect(lead.actions[0]).toMatchObject({ type: 'slack', status: 'succeeded', attempts: 2, lastStatusCode: 200, lastError: null });
    expect(receiver.callsTo('slack')).toHaveLength(2);

    const { body } = await system.call('GET', `/v1/deliveries/${lead.actions[0].id}`, { key: apiKey });
    expect(body.attemptLog).toEqual([
      expect.objectContaining({ statusCode: 500, error: expect.objectContaining({ code: 'SERVER_ERROR', retryable: true }) }),
      expect.objectContaining({ statusCode: 200, error: null }),
    ]);
  });

  it('keeps retrying a failing webhook like a delivery, then fails it with nextRetryAt for the sweep', async () => {
    await api.addFlow({ when: { field: 'data.email', op: 'exists' }, actions: [{ type: 'webhook', url: `${receiver.url}/hook` }] });
    receiver.script('hook', [], { status: 503 });
    const lead = await api.settled(await api.postLead({ email: 'ada@example.com' }));
    expect(lead.actions[0]).toMatchObject({ status: 'failed', attempts: system.config.RETRY_ATTEMPTS + 1, lastStatusCode: 503 });
    expect(lead.actions[0].nextRetryAt).not.toBeNull();
  });

  it('does not count actions toward the lead status', async () => {
    await api.addFlow({ when: { field: 'data.email', op: 'exists' }, actions: [slack()] });
    receiver.script('slack', [], { status: 400, body: 'invalid_payload' });
    const onlyAction = await api.settled(await api.postLead({ email: 'ada@example.com' }));
    expect(onlyAction.actions[0]).toMatchObject({ status: 'failed', attempts: 1, lastError: { code: 'CLIENT_ERROR' }, nextRetryAt: null });
    expect(onlyAction.actions[0].lastError.message).toContain('invalid_payload');
    expect(onlyAction.status).toBe('pending');

    await api.addDestination('/all-dest', 'all');
    const withCrm = await api.settled(await api.postLead({ email: 'bob@example.com' }));
    expect(withCrm.actions[0].status).toBe('failed');
    expect(withCrm.status).toBe('synced');
  });

  /** Runs `change` while no worker takes jobs: the jobs then run against what it left behind. */
  async function withWorkersPaused(change: () => Promise<void>) {
    await system.stopWorkers();
    try {
      await change();
    } finally {
      system.startWorkers();
    }
  }

  it('fails the queued actions of a deleted flow with FLOW_DELETED, calling nothing', async () => {
    const flowId = await api.addFlow({ when: { field: 'data.email', op: 'exists' }, actions: [slack()] });
    let leadId = '';
    await withWorkersPaused(async () => {
      leadId = await api.postLead({ email: 'ada@example.com' });
      expect((await system.call('DELETE', `/v1/flows/${flowId}`, { key: apiKey })).status).toBe(204);
    });
    const lead = await api.settled(leadId);
    expect(lead.actions[0]).toMatchObject({
      type: 'slack',
      flowId: null,
      status: 'failed',
      attempts: 0,
      lastError: { code: 'FLOW_DELETED' },
      nextRetryAt: null,
    });
    expect(receiver.callsTo('slack')).toHaveLength(0);
  });

  it('fails a queued action whose flow was disabled (FLOW_DISABLED) or no longer has it (ACTION_REMOVED)', async () => {
    const disabled = await api.addFlow({ when: { field: 'data.email', op: 'exists' }, actions: [slack()] });
    const edited = await api.addFlow({ when: { field: 'data.email', op: 'exists' }, actions: [slack()] });
    let leadId = '';
    await withWorkersPaused(async () => {
      leadId = await api.postLead({ email: 'ada@example.com' });
      await system.call('PATCH', `/v1/flows/${disabled}`, { key: apiKey, body: { enabled: false } });
      const patched = await system.call('PATCH', `/v1/flows/${edited}`, { key: apiKey, body: { actions: [{ type: 'webhook', url: `${receiver.url}/hook` }] } });
      expect(patched.status).toBe(200);
    });
    const lead = await api.settled(leadId);
    const byFlow = Object.fromEntries(lead.actions.map((a: any) => [a.flowId, a]));
    expect(byFlow[disabled]).toMatchObject({ status: 'failed', lastError: { code: 'FLOW_DISABLED' } });
    expect(byFlow[edited]).toMatchObject({ status: 'failed', lastError: { code: 'ACTION_REMOVED' } });
    expect(byFlow[edited].lastError.message).toContain('slack action at position 0');
    expect(receiver.requests).toHaveLength(0);
  });

  it('plans again when a flow is deleted between routing and storing the lead', async () => {
    const account = await system.createAccount('Race');
    apiKey = account.apiKey;
    const flowId = await api.addFlow({ when: { field: 'data.email', op: 'exists' }, actions: [slack()] });
    const db = system.deps.db;
    let raced = false;
    // The real database, except that the first read of the routing (flows included) is followed by
    // the flow's deletion. That read runs on the client's own pg pool (queryDirect), kept under a symbol.
    const pool = Object.getOwnPropertySymbols(db)
      .map((key) => (db as any)[key])
      .find((value) => typeof value?.query === 'function');
    const query = pool.query;
    pool.query = function (this: unknown, ...args: any[]) {
      const result = query.apply(this, args);
      if (raced || !String(args[0]?.text).includes('load_routing(')) return result;
      raced = true;
      return result.then(async (rows: unknown) => {
        await db.flow.delete({ where: { id: flowId } });
        return rows;
      });
    };
    let result;
    try {
      result = await ingestLead(system.deps, account.id, { data: { email: 'ada@example.com' } });
    } finally {
      pool.query = query;
    }
    expect(raced).toBe(true);
    expect(result.created).toBe(true);
    const lead = await api.settled(result.leadId);
    expect(lead.actions).toEqual([]);
  });
});

describe('email actions without SMTP_URL', () => {
  it('fail at once with SMTP_NOT_CONFIGURED, naming SMTP_URL', async () => {
    const system = await startSystem();
    const receiver = createReceiver();
    try {
      await receiver.start();
      const { apiKey } = await system.createAccount();
      const api = client(system, receiver, () => apiKey);
      await api.addFlow({ when: { field: 'data.email', op: 'exists' }, actions: [{ type: 'email', to: ['sales@example.com'], subject: 's', text: 't' }] });
      const lead = await api.settled(await api.postLead({ email: 'ada@example.com' }));
      expect(lead.actions[0]).toMatchObject({ type: 'email', status: 'failed', attempts: 1, lastError: { code: 'SMTP_NOT_CONFIGURED' }, nextRetryAt: null });
      expect(lead.actions[0].lastError.message).toContain('SMTP_URL');
    } finally {
      await system.stop();
      await receiver.stop();
    }
  });
});
