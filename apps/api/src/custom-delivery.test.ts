import { createCustomSink, waitFor } from '@crm-push/testing';
import { startSystem, useSystemWithSink } from './test-support/system';

describe('a lead delivered to a custom REST destination', () => {
  const t = useSystemWithSink({ freshPerTest: true });

  const addDestination = (path = '/leads', extra: Record<string, unknown> = {}) =>
    t.system.addDestination(t.apiKey, { name: 'sink', type: 'custom', config: { url: t.sink.url + path, timeoutMs: 300 }, ...extra });

  async function postLead(data: Record<string, unknown> = { email: 'ada@example.com' }) {
    const res = await t.system.call('POST', '/v1/leads', { key: t.apiKey, body: { data } });
    expect(res.status).toBe(202);
    return res.body;
  }

  const settled = (leadId: string) => t.system.settled(leadId, t.apiKey);

  it('arrives as JSON with an Idempotency-Key, and the lead is synced after one attempt', async () => {
    const destinationId = await addDestination();
    const accepted = await postLead({ email: 'ada@example.com', firstName: 'Ada' });
    expect(accepted).toMatchObject({ status: 'pending', deliveries: [{ destinationId, status: 'queued' }] });

    const lead = await settled(accepted.id);
    expect(lead.status).toBe('synced');
    expect(lead.deliveries[0]).toMatchObject({ status: 'succeeded', attempts: 1, lastStatusCode: 201, lastError: null, destinationType: 'custom' });
    const call = t.sink.callsTo('leads').at(-1)!;
    expect(call.body).toEqual({ email: 'ada@example.com', firstName: 'Ada' });
    expect(call.headers['idempotency-key']).toBe(accepted.deliveries[0].id);
    expect(lead.deliveries[0].externalId).toBe(t.sink.received.at(-1)!.id);
  });

  it('calls a destination answering 400 exactly once and fails without nextRetryAt', async () => {
    await addDestination();
    t.sink.script('leads', [], { status: 400, body: { error: 'email is invalid' } });
    const lead = await settled((await postLead()).id);
    expect(lead.deliveries[0]).toMatchObject({ status: 'failed', attempts: 1, lastStatusCode: 400, nextRetryAt: null });
    expect(lead.deliveries[0].lastError.message).toContain('email is invalid');
    expect(t.sink.callsTo('leads')).toHaveLength(1);
  });

  it('succeeds on the third call after 503, 503', async () => {
    await addDestination();
    t.sink.script('leads', [{ status: 503 }, { status: 503 }]);
    const lead = await settled((await postLead()).id);
    expect(lead.deliveries[0]).toMatchObject({ status: 'succeeded', attempts: 3, lastError: null });
    expect(t.sink.callsTo('leads')).toHaveLength(3);
  });

  it('waits at least the Retry-After of a 429 (within RETRY_MAX_MS)', async () => {
    await addDestination();
    t.sink.script('leads', [{ status: 429, headers: { 'retry-after': '0.3' }, body: { error: 'slow down' } }]);
    const accepted = await postLead();
    const lead = await settled(accepted.id);
    expect(lead.deliveries[0]).toMatchObject({ status: 'succeeded', attempts: 2 });
    const [first, second] = await t.system.deps.db.attempt.findMany({ where: { deliveryId: accepted.deliveries[0].id }, orderBy: { startedAt: 'asc' } });
    expect(first.statusCode).toBe(429);
    // Without Retry-After the first backoff would be at most RETRY_BASE_MS (40 ms).
    expect(second.startedAt.getTime() - first.startedAt.getTime()).toBeGreaterThanOrEqual(300);
  });

  it('retries a refused connection, then fails with CONNECTION_REFUSED', async () => {
    const closed = createCustomSink();
    const url = await closed.start();
    await closed.stop();
    const res = await t.system.call('POST', '/v1/destinations', { key: t.apiKey, body: { name: 'gone', type: 'custom', config: { url: `${url}/leads` } } });
    const lead = await settled((await postLead()).id);
    expect(res.status).toBe(201);
    expect(lead.deliveries[0]).toMatchObject({ status: 'failed', attempts: 4, lastStatusCode: null, lastError: { code: 'CONNECTION_REFUSED' } });
    expect(lead.deliveries[0].nextRetryAt).not.toBeNull();
  });

  it('retries a destination that does not answer in timeoutMs, then fails with TIMEOUT', async () => {
    await addDestination();
    t.sink.script('leads', [], { hang: true });
    const lead = await settled((await postLead()).id);
    expect(lead.deliveries[0]).toMatchObject({ status: 'failed', attempts: 4, lastError: { code: 'TIMEOUT' } });
    expect(t.sink.callsTo('leads')).toHaveLength(4);
  });

  it('marks the lead synced when one of two destinations fails', async () => {
    await addDestination('/leads');
    await addDestination('/nowhere'); // the t.sink answers 404 there: not retryable
    const lead = await settled((await postLead()).id);
    expect(lead.status).toBe('synced');
    expect(lead.deliveries.map((d: any) => d.status).sort()).toEqual(['failed', 'succeeded']);
  });

  it('shows each call in the delivery attempt log', async () => {
    await addDestination();
    t.sink.script('leads', [{ status: 502 }]);
    const accepted = await postLead();
    await settled(accepted.id);
    const { status, body } = await t.system.call('GET', `/v1/deliveries/${accepted.deliveries[0].id}`, { key: t.apiKey });
    expect(status).toBe(200);
    expect(body.attemptLog).toHaveLength(2);
    expect(body.attemptLog[0]).toMatchObject({ statusCode: 502, error: { code: 'HTTP_502', retryable: true } });
    expect(body.attemptLog[1]).toMatchObject({ statusCode: 201, error: null });
    expect(typeof body.attemptLog[0].durationMs).toBe('number');
  });

  it('sends bearer, basic and header credentials', async () => {
    const cases = [
      [{ type: 'bearer', token: 'tok-1' }, 'authorization', 'Bearer tok-1'],
      [{ type: 'basic', username: 'u', password: 'p' }, 'authorization', `Basic ${Buffer.from('u:p').toString('base64')}`],
      [{ type: 'header', headerName: 'X-Api-Key', headerValue: 'k-1' }, 'x-api-key', 'k-1'],
    ] as const;
    for (const [credentials, header, value] of cases) {
      t.apiKey = (await t.system.createAccount()).apiKey;
      await addDestination('/leads', { credentials });
      await settled((await postLead()).id);
      expect(t.sink.callsTo('leads').at(-1)!.headers[header]).toBe(value);
    }
  });
});

describe('exponential backoff between retries', () => {
  // Delays large enough that worker scheduling noise cannot reorder the gaps.
  it('calls a destination answering 500 exactly 4 times with growing gaps, then fails with nextRetryAt', async () => {
    const system = await startSystem({ env: { RETRY_BASE_MS: '250', RETRY_MAX_MS: '5000' } });
    const sink = createCustomSink();
    try {
      await sink.start();
      const { apiKey } = await system.createAccount();
      await system.call('POST', '/v1/destinations', { key: apiKey, body: { name: 'down', type: 'custom', config: { url: `${sink.url}/leads` } } });
      // Warm-up: the first failure of a process compiles its queries, which would stretch the first gap.
      sink.script('leads', [{ status: 400 }]);
      const warmUp = (await system.call('POST', '/v1/leads', { key: apiKey, body: { data: { email: 'w@example.com' } } })).body;
      await waitFor('the warm-up lead to fail', async () => (await system.call('GET', `/v1/leads/${warmUp.id}`, { key: apiKey })).body.status === 'failed');

      sink.resetScripts();
      sink.script('leads', [], { status: 500, body: { error: 'down' } });
      const accepted = (await system.call('POST', '/v1/leads', { key: apiKey, body: { data: { email: 'a@example.com' } } })).body;

      const lead = await waitFor('the delivery to fail', async () => {
        const { body } = await system.call('GET', `/v1/leads/${accepted.id}`, { key: apiKey });
        return body.status === 'failed' ? body : undefined;
      });
      expect(lead.deliveries[0]).toMatchObject({ status: 'failed', attempts: 4, lastStatusCode: 500, lastError: { code: 'HTTP_500' } });
      expect(Date.parse(lead.deliveries[0].nextRetryAt)).toBeGreaterThan(Date.now());
      expect(sink.callsTo('leads')).toHaveLength(4);
      const calls = await system.deps.db.attempt.findMany({ where: { deliveryId: accepted.deliveries[0].id }, orderBy: { startedAt: 'asc' } });
      const gaps = calls.slice(1).map((c, i) => c.startedAt.getTime() - calls[i].startedAt.getTime());
      expect(gaps[0]).toBeGreaterThanOrEqual(200); // 250 ms less at most 20% jitter
      expect(gaps[1]).toBeGreaterThan(gaps[0]);
      expect(gaps[2]).toBeGreaterThan(gaps[1]);
    } finally {
      await sink.stop();
      await system.stop();
    }
  });
});
