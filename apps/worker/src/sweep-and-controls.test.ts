import { createCustomSink, type CustomSink, useStack, waitFor } from '@crm-push/testing';

describe('the sweep, manual retry and push controls (api and worker processes)', () => {
  // Two sweeps per delivery, so the budget's end is reached within seconds.
  const t = useStack({ api: {}, workers: [{ SWEEP_MAX: '2' }] });

  const get = (key: string, path: string) => t.api.call('GET', path, { key });
  const post = (key: string, path: string, body?: unknown) => t.api.call('POST', path, { key, body });

  /** A sink of its own per account, so what one test left running never answers another's calls. */
  const newSink = () => t.started(createCustomSink());

  async function accountWithSink(): Promise<{ key: string; destinationId: string; sink: CustomSink }> {
    const key = (await t.api.createAccount()).apiKey;
    const sink = await newSink();
    return { key, sink, destinationId: await t.api.addDestination(key, `${sink.url}/leads`) };
  }

  async function postLead(key: string, email: string): Promise<{ id: string; deliveries: { id: string }[] }> {
    const res = await post(key, '/v1/leads', { data: { email } });
    expect(res.status).toBe(202);
    return res.body;
  }

  function delivery(key: string, id: string, done: (d: any) => boolean, what: string) {
    // Generous: a loaded CI machine may take a while; nothing here asserts on time.
    return waitFor(
      what,
      async () => {
        const res = await get(key, `/v1/deliveries/${id}`);
        return done(res.body) ? res.body : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 50 },
    );
  }

  jest.setTimeout(90_000);

  it('(d) delivers, by the sweep and with no manual action, to a destination that failed a whole round of retries', async () => {
    const { key, sink } = await accountWithSink();
    sink.script('leads', [{ status: 503 }, { status: 503 }, { status: 503 }, { status: 503 }]);
    const lead = await postLead(key, 'sweep@example.com');

    const done = await delivery(key, lead.deliveries[0].id, (d) => d.status === 'succeeded', 'the sweep to deliver it');
    // Round one: 1 + RETRY_ATTEMPTS (2) calls; round two, after one sweep: 503 then 201.
    expect(done).toMatchObject({ attempts: 5, lastError: null, nextRetryAt: null });
    expect(done.attemptLog.map((a: any) => a.statusCode)).toEqual([503, 503, 503, 503, 201]);
    const row = await t.stack.database.db.delivery.findUniqueOrThrow({ where: { id: done.id } });
    expect(row.sweeps).toBe(1);
    expect((await get(key, `/v1/leads/${lead.id}`)).body.status).toBe('synced');
  });

  it('stops sweeping after SWEEP_MAX rounds and leaves the delivery failed without nextRetryAt', async () => {
    const { key, sink } = await accountWithSink();
    sink.script('leads', [], { status: 503 });
    const lead = await postLead(key, 'hopeless@example.com');

    const done = await delivery(
      key,
      lead.deliveries[0].id,
      (d) => d.status === 'failed' && d.nextRetryAt === null && d.attempts === 9,
      'the sweeps to give up',
    );
    // Three rounds of three calls: the first and SWEEP_MAX (2) sweeps.
    const row = await t.stack.database.db.delivery.findUniqueOrThrow({ where: { id: done.id } });
    expect(row.sweeps).toBe(2);
    expect((await get(key, `/v1/leads/${lead.id}`)).body.status).toBe('failed');
    // The sweep leaves it alone from now on.
    expect(sink.callsTo('leads')).toHaveLength(9);
  });

  it('(e) retries a failed delivery by hand: 202, a fresh round, attempts keep counting; 409 once it succeeded', async () => {
    const { key, sink } = await accountWithSink();
    sink.script('leads', [{ status: 400, body: { error: 'no' } }]);
    const lead = await postLead(key, 'manual@example.com');
    const id = lead.deliveries[0].id;
    await delivery(key, id, (d) => d.status === 'failed', 'the 400 to fail it');
    expect((await get(key, `/v1/leads/${lead.id}`)).body.status).toBe('failed');

    const retried = await post(key, `/v1/deliveries/${id}/retry`);
    expect(retried.status).toBe(202);
    expect(retried.body).toMatchObject({ id, status: 'queued', attempts: 1, nextRetryAt: null, leadId: lead.id });
    const done = await delivery(key, id, (d) => d.status === 'succeeded', 'the manual retry to deliver it');
    expect(done.attempts).toBe(2);
    expect((await get(key, `/v1/leads/${lead.id}`)).body.status).toBe('synced');
    const row = await t.stack.database.db.delivery.findUniqueOrThrow({ where: { id } });
    expect(row.sweeps).toBe(0); // a manual retry does not spend the sweep budget

    const again = await post(key, `/v1/deliveries/${id}/retry`);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('ALREADY_SUCCEEDED');
    const other = (await t.api.createAccount('Other')).apiKey;
    expect((await post(other, `/v1/deliveries/${id}/retry`)).status).toBe(404);
    expect((await post(key, '/v1/deliveries/00000000-0000-7000-8000-000000000000/retry')).status).toBe(404);
  });

  it('pushes one lead again to a destination it reached, to one added after it arrived, and refuses others', async () => {
    const { key, destinationId: first, sink } = await accountWithSink();
    const lead = await postLead(key, 'later@example.com');
    await delivery(key, lead.deliveries[0].id, (d) => d.status === 'succeeded', 'the first delivery');
    const later = await newSink();
    {
      const second = await t.api.addDestination(key, `${later.url}/leads`);
      const pushed = await post(key, `/v1/leads/${lead.id}/push`, {});
      expect(pushed.status).toBe(202);
      expect(pushed.body.deliveries).toEqual([
        // A fast worker may already have delivered them again when the answer is read.
        { id: lead.deliveries[0].id, destinationId: first, status: expect.stringMatching(/^(queued|succeeded)$/) },
        { id: expect.any(String), destinationId: second, status: expect.stringMatching(/^(queued|succeeded)$/) },
      ]);
      await delivery(key, pushed.body.deliveries[1].id, (d) => d.status === 'succeeded', 'the push to the new destination');
      await delivery(key, lead.deliveries[0].id, (d) => d.status === 'succeeded' && d.attempts === 2, 'the push again to the first destination');
      expect(later.callsTo('leads').map((r) => r.headers['idempotency-key'])).toEqual([pushed.body.deliveries[1].id]);
      expect(sink.callsTo('leads').map((r) => r.headers['idempotency-key'])).toEqual([lead.deliveries[0].id, `${lead.deliveries[0].id}-2`]);

      // Named destinations: only those; another account's is not found; a disabled one conflicts.
      const named = await post(key, `/v1/leads/${lead.id}/push`, { destinationIds: [second] });
      expect(named.status).toBe(202);
      expect(named.body.deliveries).toEqual([
        { id: pushed.body.deliveries[1].id, destinationId: second, status: expect.stringMatching(/^(queued|succeeded)$/) },
      ]);
      await delivery(key, pushed.body.deliveries[1].id, (d) => d.status === 'succeeded' && d.attempts === 2, 'the named push');
      expect(sink.callsTo('leads')).toHaveLength(2);
      const other = await accountWithSink();
      expect((await post(key, `/v1/leads/${lead.id}/push`, { destinationIds: [other.destinationId] })).status).toBe(404);
      expect((await post(other.key, `/v1/leads/${lead.id}/push`, {})).status).toBe(404);
      await t.api.call('PATCH', `/v1/destinations/${second}`, { key, body: { enabled: false } });
      const disabled = await post(key, `/v1/leads/${lead.id}/push`, { destinationIds: [second] });
      expect(disabled.status).toBe(409);
      expect((await post(key, `/v1/leads/${lead.id}/push`, { destinationIds: [] })).status).toBe(400);
    }
  });

  it('lists deliveries by status and destination with cursor pagination, scoped to the account', async () => {
    const { key, destinationId, sink } = await accountWithSink();
    sink.script('leads', [{ status: 400 }]);
    const leads = [await postLead(key, 'l1@example.com')];
    await delivery(key, leads[0].deliveries[0].id, (d) => d.status === 'failed', 'the first to fail');
    leads.push(await postLead(key, 'l2@example.com'), await postLead(key, 'l3@example.com'));
    await waitFor(
      'all three to settle',
      async () => {
        const res = await get(key, '/v1/deliveries?limit=50');
        return res.body.items.every((d: any) => d.status === 'succeeded' || d.status === 'failed');
      },
      { timeoutMs: 60_000, intervalMs: 50 },
    );
    const failed = await get(key, '/v1/deliveries?status=failed');
    expect(failed.body.items.map((d: any) => d.id)).toEqual([leads[0].deliveries[0].id]);
    expect(failed.body.items[0]).toMatchObject({ leadId: leads[0].id, destinationId, destinationType: 'custom', lastStatusCode: 400 });

    const pages: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { body: any } = await get(key, `/v1/deliveries?destinationId=${destinationId}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      pages.push(...res.body.items.map((d: any) => d.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(pages).toEqual(leads.map((l) => l.deliveries[0].id).reverse());

    const other = (await t.api.createAccount('Other')).apiKey;
    expect((await get(other, '/v1/deliveries')).body.items).toEqual([]);
    expect((await get(other, `/v1/deliveries?destinationId=${destinationId}`)).body.items).toEqual([]);
    expect((await get(key, '/v1/deliveries?status=lost')).status).toBe(400);
    expect(t.workers[0].proc.exitCode).toBeNull();
  });
});
