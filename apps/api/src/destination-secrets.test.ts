import { waitFor } from '@crm-push/testing';
import { useSystemWithSink } from './test-support/system';

const TOKEN = 'tok-echoed-by-the-destination-7781';

describe("a destination's answer that echoes secrets", () => {
  const t = useSystemWithSink();

  it('is stored and shown scrubbed of the credential and of secret parameters', async () => {
    const echo = `bad request: Authorization was Bearer ${TOKEN}; refresh_token=rt-55aa66&client_secret=cs-99zz`;
    t.sink.script('leads', [], { status: 400, body: { error: echo } });
    const created = await t.system.call('POST', '/v1/destinations', {
      key: t.apiKey,
      body: { name: 'echo', type: 'custom', config: { url: `${t.sink.url}/leads` }, credentials: { type: 'bearer', token: TOKEN } },
    });
    expect(created.status).toBe(201);
    const posted = await t.system.call('POST', '/v1/leads', { key: t.apiKey, body: { data: { email: 'ada@example.com' } } });
    const lead = await waitFor('the delivery to fail', async () => {
      const { body } = await t.system.call('GET', `/v1/leads/${posted.body.id}`, { key: t.apiKey });
      return body.deliveries[0].status === 'failed' ? body : undefined;
    });
    expect(t.sink.callsTo('leads')).toHaveLength(1);
    const message: string = lead.deliveries[0].lastError.message;
    expect(message).toContain('bad request');
    for (const secret of [TOKEN, 'rt-55aa66', 'cs-99zz']) expect(message).not.toContain(secret);

    // The attempt log and the job's failure reason in Redis hold the same scrubbed text.
    const attempts = await t.system.deps.db.attempt.findMany({ where: { deliveryId: lead.deliveries[0].id } });
    expect(attempts.length).toBeGreaterThan(0);
    const job = await t.system.deps.queues.byKey.crm.getJob(lead.deliveries[0].id);
    const stored = JSON.stringify({ attempts, failedReason: job?.failedReason, stack: job?.stacktrace });
    expect(stored).toContain('bad request');
    for (const secret of [TOKEN, 'rt-55aa66', 'cs-99zz']) expect(stored).not.toContain(secret);
  });
});
