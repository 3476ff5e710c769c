import {
  type Child,
  createFakeHubSpot,
  hubspotDestination,
  FakeSalesforce,
  freePort,
  HUBSPOT_ROUTES,
  parsePrometheusText,
  type RecordedRequest,
  sampleValue,
  useStack,
  waitFor,
} from '@crm-push/testing';

/**
 * Batching with real processes: an api, two workers, and the vendors' fakes counting calls. Leads
 * are posted while the destination is paused, so the burst is ready at once when it resumes.
 */
describe('batch delivery', () => {
  const t = useStack({ api: {}, setupTimeoutMs: 60_000 });
  let workers: Child[];
  let metricsUrls: string[];

  beforeAll(async () => {
    const ports = [await freePort(), await freePort()];
    metricsUrls = ports.map((port) => `http://127.0.0.1:${port}/metrics`);
    workers = await Promise.all(ports.map((port) => t.stack.startWorker({ METRICS_PORT: String(port) })));
  }, 60_000);

  const destination = (key: string, body: Record<string, unknown>) => t.api.addDestination(key, { name: 'crm', ...body });

  async function postLeads(key: string, leads: Record<string, unknown>[]): Promise<void> {
    for (let i = 0; i < leads.length; i += 25) {
      const results = await Promise.all(leads.slice(i, i + 25).map((data) => t.api.call('POST', '/v1/leads', { key, body: { data } })));
      for (const r of results) if (r.status !== 202) throw new Error(`lead: ${r.status} ${JSON.stringify(r.body)}`);
    }
  }

  /** Posts while paused, resumes, and waits until no delivery of the destination is left to run. */
  async function burst(key: string, id: string, leads: Record<string, unknown>[]): Promise<void> {
    await t.api.call('POST', `/v1/destinations/${id}/pause`, { key });
    await postLeads(key, leads);
    await t.api.call('POST', `/v1/destinations/${id}/resume`, { key });
    await waitFor(
      `${leads.length} deliveries settled`,
      async () => {
        const done = await t.stack.database.db.delivery.count({ where: { destinationId: id, status: { in: ['succeeded', 'failed'] } } });
        return done === leads.length ? true : undefined;
      },
      { timeoutMs: 40_000, intervalMs: 100 },
    ).catch(async (err) => {
      console.log(JSON.stringify(await statusesOf(id)), workers.map((w) => w.logs.slice(-15).join('\n')).join('\n----\n'));
      throw err;
    });
  }

  const statusesOf = async (destinationId: string) => {
    const groups = await t.stack.database.db.delivery.groupBy({ by: ['status'], where: { destinationId }, _count: { _all: true } });
    return Object.fromEntries(groups.map((g) => [g.status, g._count._all]));
  };
  /** The batch counters of both workers, summed. */
  async function batchCounters(type: string) {
    const totals = { calls: 0, succeeded: 0, failed: 0 };
    for (const url of metricsUrls) {
      const families = parsePrometheusText(await (await fetch(url)).text());
      const value = (name: string, labels: Record<string, string>) => sampleValue(families, name, { destination_type: type, ...labels }) ?? 0;
      totals.calls += value('crm_push_batch_calls_total', {});
      totals.succeeded += value('crm_push_batch_records_total', { outcome: 'succeeded' });
      totals.failed += value('crm_push_batch_records_total', { outcome: 'failed' });
    }
    return totals;
  }

  const inputsOf = (calls: RecordedRequest[]) => calls.flatMap((c) => c.body.inputs as { id?: string; properties: Record<string, string> }[]);

  /** Errors of the destination's failed deliveries, by code, so a failing proof says why. */
  const errorsOf = async (destinationId: string) => {
    const failed = await t.stack.database.db.delivery.findMany({
      where: { destinationId, status: 'failed' },
      select: { lastErrorCode: true, lastErrorMessage: true },
    });
    return Object.fromEntries(failed.map((d) => [d.lastErrorCode, d.lastErrorMessage]));
  };

  const lead = (tag: string, k: number) => ({ email: `${tag}-${k}@example.com`, firstName: 'A', lastName: `L${k}`, company: 'Co' });

  it('1 000 leads to HubSpot: at most 15 write calls, every lead delivered, one contact per email', async () => {
    const hubspot = await t.started(createFakeHubSpot());
    const key = (await t.api.createAccount('HubSpot batch')).apiKey;
    // No `batch` setting: batching is on by default.
    const id = await destination(key, hubspotDestination(hubspot));
    const countersBefore = await batchCounters('hubspot');
    await burst(
      key,
      id,
      Array.from({ length: 1000 }, (_, k) => lead('hs', k)),
    );
    expect({ statuses: await statusesOf(id), errors: await errorsOf(id) }).toEqual({ statuses: { succeeded: 1000 }, errors: {} });
    const writes = [HUBSPOT_ROUTES.batchUpsert, HUBSPOT_ROUTES.batchCreate, HUBSPOT_ROUTES.create, HUBSPOT_ROUTES.update].flatMap((r) =>
      hubspot.server.callsTo(r),
    );
    expect(writes.length).toBeLessThanOrEqual(15);
    const emails = hubspot.contacts.all().map((c) => c.properties.email);
    expect(new Set(emails).size).toBe(1000);
    expect(emails).toHaveLength(1000);
    const sizes = await t.stack.database.db.attempt.findMany({ where: { delivery: { destinationId: id } }, select: { batchSize: true } });
    // Each call's attempt rows carry its size, so they add up to the calls made (a burst's tail may go alone).
    expect(Math.round(sizes.reduce((calls, a) => calls + 1 / (a.batchSize ?? 1), 0))).toBe(writes.length);
    // The workers' metrics count the batch calls the fake saw, and the records those calls carried.
    const batchCalls = [HUBSPOT_ROUTES.batchUpsert, HUBSPOT_ROUTES.batchCreate].flatMap((r) => hubspot.server.callsTo(r));
    expect(batchCalls.length).toBeGreaterThan(0);
    const counters = await batchCounters('hubspot');
    expect(counters.calls - countersBefore.calls).toBe(batchCalls.length);
    expect(counters.succeeded - countersBefore.succeeded).toBe(inputsOf(batchCalls).length);
    expect(counters.failed - countersBefore.failed).toBe(0);
  }, 60_000);

  it("a HubSpot batch with 3 refused records fails exactly those 3 with HubSpot's message; the other 97 succeed", async () => {
    const hubspot = await t.started(createFakeHubSpot());
    const key = (await t.api.createAccount('HubSpot refusals')).apiKey;
    const id = await destination(key, { ...hubspotDestination(hubspot), batch: { enabled: true } });
    const leads = Array.from({ length: 100 }, (_, k) => (k % 40 === 7 ? { ...lead('bad', k), email: `not-an-email-${k}` } : lead('ok', k)));
    await burst(key, id, leads);
    expect(await statusesOf(id)).toEqual({ succeeded: 97, failed: 3 });
    const failed = await t.stack.database.db.delivery.findMany({ where: { destinationId: id, status: 'failed' } });
    for (const d of failed) expect(d.lastErrorMessage).toMatch(/Email address not-an-email-\d+ is invalid/);
    expect(hubspot.server.callsTo(HUBSPOT_ROUTES.batchUpsert).length).toBeLessThanOrEqual(3);
  }, 60_000);

  it('HubSpot batch create: a contact that already exists (CONFLICT) is updated, never duplicated', async () => {
    const hubspot = await t.started(createFakeHubSpot());
    const existing = hubspot.seedContact({ email: 'conflict-3@example.com', lastname: 'Old' });
    const key = (await t.api.createAccount('HubSpot conflicts')).apiKey;
    // Upserted by a property the leads do not carry, so every record goes through batch create.
    const id = await destination(key, hubspotDestination(hubspot, { upsertBy: 'lead_ref' }));
    await burst(
      key,
      id,
      Array.from({ length: 10 }, (_, k) => lead('conflict', k)),
    );
    expect(await statusesOf(id)).toEqual({ succeeded: 10 });
    const emails = hubspot.contacts.all().map((c) => c.properties.email);
    expect(emails).toHaveLength(10);
    expect(new Set(emails).size).toBe(10);
    expect(hubspot.contacts.get(existing.id)?.properties.lastname).toBe('L3');
    // It went in a batch create (and came back CONFLICT), then the existing contact was updated.
    expect(inputsOf(hubspot.server.callsTo(HUBSPOT_ROUTES.batchCreate)).map((i) => i.properties.email)).toContain('conflict-3@example.com');
    expect(hubspot.server.callsTo(HUBSPOT_ROUTES.batchUpsert)).toHaveLength(0);
    const conflicted = await t.stack.database.db.delivery.findFirstOrThrow({
      where: { destinationId: id, lead: { data: { path: ['email'], equals: 'conflict-3@example.com' } } },
    });
    expect(conflicted.externalId).toBe(existing.id);
  }, 60_000);

  it('a lone lead keeps its claim through its own push: a batch claimed meanwhile does not push it again', async () => {
    const hubspot = await t.started(createFakeHubSpot());
    const key = (await t.api.createAccount('Lone claim')).apiKey;
    const id = await destination(key, hubspotDestination(hubspot));
    // The lone lead's single create is slow; while it is in flight two more leads arrive and are batched.
    hubspot.server.script(HUBSPOT_ROUTES.create, [{ delayMs: 3000 }]);
    await postLeads(key, [lead('first', 0)]);
    await waitFor('the lone push to be in flight', async () => (hubspot.server.callsTo(HUBSPOT_ROUTES.create).length ? true : undefined), {
      timeoutMs: 10_000,
      intervalMs: 20,
    });
    await postLeads(key, [lead('later', 1), lead('later', 2)]);
    await waitFor('all three delivered', async () => ((await statusesOf(id)).succeeded === 3 ? true : undefined), { timeoutMs: 20_000 });
    const batched = inputsOf(hubspot.server.callsTo(HUBSPOT_ROUTES.batchUpsert)).map((i) => i.id);
    expect(batched).not.toContain('first-0@example.com');
    const first = await t.stack.database.db.delivery.findFirstOrThrow({
      where: { destinationId: id, lead: { data: { path: ['email'], equals: 'first-0@example.com' } } },
      include: { attemptLog: true },
    });
    expect(first.attemptLog).toHaveLength(1);
    expect(hubspot.contacts.size).toBe(3);
  }, 60_000);

  it('1 000 leads to Salesforce: at most 8 Collections calls; a record without LastName fails alone with REQUIRED_FIELD_MISSING', async () => {
    const salesforce = await t.started(new FakeSalesforce());
    const key = (await t.api.createAccount('Salesforce batch')).apiKey;
    const fieldMapping = [
      { from: 'email', to: 'Email' },
      { from: 'lastName', to: 'LastName' },
      { from: 'company', to: 'Company', default: 'Co' },
    ];
    const id = await destination(key, {
      type: 'salesforce',
      config: { instanceUrl: salesforce.url },
      credentials: { accessToken: 'sf-access-token' },
      fieldMapping,
    });
    const leads = Array.from({ length: 1000 }, (_, k) => (k === 500 ? { email: 'nolast@example.com', company: 'Co' } : lead('sf', k)));
    await burst(key, id, leads);
    expect(await statusesOf(id)).toEqual({ succeeded: 999, failed: 1 });
    const failed = await t.stack.database.db.delivery.findFirstOrThrow({ where: { destinationId: id, status: 'failed' }, include: { lead: true } });
    expect(failed).toMatchObject({ lastErrorCode: 'REQUIRED_FIELD_MISSING' });
    expect((failed.lead.data as { email: string }).email).toBe('nolast@example.com');
    const collections = salesforce.server.callsTo('collections.create').length + salesforce.server.callsTo('collections.upsert').length;
    expect(collections).toBeLessThanOrEqual(8);
    expect(salesforce.recordsOf('Lead')).toHaveLength(999);
  }, 60_000);

  it('a single lead to each vendor is delivered within maxWaitMs + one call, not held for a batch', async () => {
    const [hubspot, salesforce] = await Promise.all([t.started(createFakeHubSpot()), t.started(new FakeSalesforce())]);
    const key = (await t.api.createAccount('Lone leads')).apiKey;
    const maxWaitMs = 200;
    const ids = [
      await destination(key, { ...hubspotDestination(hubspot), batch: { enabled: true, maxWaitMs } }),
      await destination(key, {
        type: 'salesforce',
        config: { instanceUrl: salesforce.url },
        credentials: { accessToken: 'sf-access-token' },
        batch: { enabled: true },
      }),
    ];
    await postLeads(key, [lead('lone', 1)]);
    for (const id of ids) {
      const d = await waitFor(
        'the lone delivery succeeded',
        async () =>
          (await t.stack.database.db.delivery.findFirst({ where: { destinationId: id, status: 'succeeded' }, include: { lead: true, attemptLog: true } })) ??
          undefined,
        { timeoutMs: 10_000, intervalMs: 20 },
      );
      expect(d.attemptLog).toHaveLength(1);
      // Lead stored → delivery succeeded (both PostgreSQL's clock): the wait, the call, and the
      // queue's pick-up, with room for a loaded 2-core machine (a lead held for company would wait
      // for the next lead or the sweep, well beyond it).
      const lagMs = d.updatedAt.getTime() - d.lead.createdAt.getTime();
      expect(lagMs).toBeLessThanOrEqual(maxWaitMs + d.attemptLog[0].durationMs + 2000);
    }
  }, 60_000);
});
