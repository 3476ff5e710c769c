import { createCustomSink, createFakeHubSpot, FAKE_HUBSPOT_TOKEN, FakeSalesforce, waitFor, type CustomSink } from '@crm-push/testing';
import { allLeadsSettled, call, createAccount, startStack, type Child, type Stack } from './__tests__/processes';

/**
 * Flow control with real processes: an api, two workers, real Redis and PostgreSQL, and fakes
 * that ENFORCE their vendors' limits (429s, REQUEST_LIMIT_EXCEEDED), with short windows.
 */
const LANE_ENV = { PAUSE_COOLDOWN_MS: '1000', DAILY_LIMIT_RECHECK_MS: '1000', RETRY_ATTEMPTS: '5' };

describe('delivery lanes', () => {
  let stack: Stack;
  let api: Child & { url: string };
  let workers: Child[] = [];
  const sinks: { stop(): Promise<void> }[] = [];

  beforeAll(async () => {
    stack = await startStack();
    api = await stack.startApi(LANE_ENV);
    workers = await Promise.all([stack.startWorker(LANE_ENV), stack.startWorker(LANE_ENV)]);
  });
  afterAll(async () => {
    await stack?.stop();
    await Promise.all(sinks.map((s) => s.stop()));
  });

  async function destination(key: string, body: Record<string, unknown>): Promise<string> {
    const res = await call(api.url, 'POST', '/v1/destinations', { key, body: { name: 'crm', ...body } });
    if (res.status !== 201) throw new Error(`destination: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id;
  }

  /** Posts `n` leads, 25 at a time; returns the time the first was posted. */
  async function postLeads(key: string, n: number, tag: string): Promise<number> {
    const startedAt = Date.now();
    for (let i = 0; i < n; i += 25) {
      const batch = Array.from({ length: Math.min(25, n - i) }, (_, j) => i + j);
      const results = await Promise.all(
        batch.map((k) => call(api.url, 'POST', '/v1/leads', { key, body: { data: { email: `${tag}-${k}@example.com`, firstName: 'A', lastName: `L${k}`, company: 'Co' } } })),
      );
      for (const r of results) if (r.status !== 202) throw new Error(`lead: ${r.status} ${JSON.stringify(r.body)}`);
    }
    return startedAt;
  }

  const statusesOf = async (destinationId: string) => {
    const groups = await stack.database.db.delivery.groupBy({ by: ['status'], where: { destinationId }, _count: { _all: true } });
    return Object.fromEntries(groups.map((g) => [g.status, g._count._all]));
  };

  async function allDelivered(destinationId: string, n: number, timeoutMs: number): Promise<number> {
    await waitFor(`${n} deliveries of ${destinationId} succeeded`, async () => ((await statusesOf(destinationId)).succeeded === n ? true : undefined), {
      timeoutMs,
      intervalMs: 100,
    });
    return Date.now();
  }

  /** Posts while the destination is paused by hand, then resumes it: the clock starts with every lead waiting. */
  async function postPausedThenResume(key: string, id: string, n: number, tag: string): Promise<number> {
    expect((await call(api.url, 'POST', `/v1/destinations/${id}/pause`, { key })).body.health).toMatchObject({ state: 'paused', reason: 'MANUAL' });
    await postLeads(key, n, tag);
    expect(await statusesOf(id)).toEqual({ queued: n }); // nothing went while paused
    const resumedAt = Date.now();
    expect((await call(api.url, 'POST', `/v1/destinations/${id}/resume`, { key })).body.health).toMatchObject({ state: 'active', reason: null });
    return resumedAt;
  }

  it('400 leads to a custom destination limited to 20/s, two workers: all land, zero 429s, within 1.25x of the ideal 20 s', async () => {
    const sink = createCustomSink({ limit: { requests: 20, intervalMs: 1000 } });
    await sink.start();
    sinks.push(sink);
    const key = await createAccount(api.url, 'Paced');
    const id = await destination(key, { type: 'custom', config: { url: `${sink.url}/leads` }, limits: { requestsPerInterval: 20, intervalMs: 1000 } });
    const startedAt = await postPausedThenResume(key, id, 400, 'paced');
    const doneAt = await allDelivered(id, 400, 40_000);
    expect(sink.stats.rejected).toBe(0);
    expect(sink.received).toHaveLength(400);
    expect((doneAt - startedAt) / 1000).toBeLessThanOrEqual(20 * 1.25);
    const view = await call(api.url, 'GET', `/v1/destinations/${id}`, { key });
    expect(view.body.limits).toEqual({ requestsPerInterval: 20, intervalMs: 1000 });
    expect(view.body.health).toMatchObject({ state: 'active', reason: null, queued: 0 });
    const events = await call(api.url, 'GET', `/v1/destinations/${id}/events`, { key });
    expect(events.body.items.map((e: { state: string; reason: string | null }) => [e.state, e.reason]).reverse().slice(0, 2)).toEqual([
      ['paused', 'MANUAL'],
      ['active', null],
    ]);
  }, 90_000);

  it('learns a HubSpot limit of 50 per 5 s from its headers alone: 429s under 1 % of calls, nothing failed', async () => {
    const hubspot = createFakeHubSpot({ limits: { max: 50, intervalMs: 5000 } });
    await hubspot.start();
    sinks.push(hubspot);
    const key = await createAccount(api.url, 'Learns');
    const id = await destination(key, { type: 'hubspot', config: { baseUrl: hubspot.url }, credentials: { accessToken: FAKE_HUBSPOT_TOKEN } });
    const startedAt = await postPausedThenResume(key, id, 300, 'hs');
    await allDelivered(id, 300, 60_000).catch(async (e) => {
      const v = await call(api.url, 'GET', `/v1/destinations/${id}`, { key });
      console.log(JSON.stringify(await statusesOf(id)), hubspot.server.requests.length, hubspot.limiter.rejected, JSON.stringify(v.body.health), workers[0].logs.slice(-8).join('\n'));
      throw e;
    });
    const calls = hubspot.server.requests.filter((r) => r.path.startsWith('/crm/'));
    expect(await statusesOf(id)).toEqual({ succeeded: 300 });
    expect(hubspot.limiter.rejected / calls.length).toBeLessThan(0.01);
    // 300 at 50 per 5 s cannot take less than 25 s; the lane used the vendor's figure, not its default of 100 per 10 s.
    expect(Date.now() - startedAt).toBeGreaterThan(24_000);
  }, 90_000);
});
