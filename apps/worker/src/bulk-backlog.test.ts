import { v7 as uuidv7 } from 'uuid';
import { createFakeHubSpot, FAKE_HUBSPOT_TOKEN, FakeSalesforce, HUBSPOT_ROUTES, waitFor, type FakeHubSpot } from '@crm-push/testing';
import { allLeadsSettled, startStack, type ApiChild, type Child, type Stack } from '@crm-push/testing';

/**
 * How many leads push-pending pushes. The figure is 20 000 (BULK_PROOF_LEADS=20000 runs
 * it); CI runs fewer to stay within its time, still well above the 2 000 at which a Salesforce
 * backlog goes as Bulk API 2.0 jobs.
 */
const LEADS = Number(process.env.BULK_PROOF_LEADS ?? 6000);
/** Waits grow with the backlog: a fixed part for start-up, then per lead. */
const waitMs = (fixedMs: number, perLeadMs: number) => fixedMs + LEADS * perLeadMs;
/** Salesforce's own threshold for Bulk API 2.0 (bulk-call.ts). */
const BULK_THRESHOLD = 2000;
/** The lead Salesforce refuses (no LastName, and the mapping gives it none). */
const REFUSED = 7;

/**
 * push-pending of a large import to a Salesforce and a HubSpot destination, with real processes
 * (an api, two workers) against the enforcing fakes: Salesforce gets the backlog as Bulk 2.0
 * ingest jobs, HubSpot as batches of 100, each delivery ends with its own record's result.
 */
describe('push-pending of a large backlog: Salesforce Bulk API 2.0 jobs and HubSpot batches', () => {
  let stack: Stack;
  let api: ApiChild;
  let workers: Child[];
  let salesforce: FakeSalesforce;
  let hubspot: FakeHubSpot;

  beforeAll(async () => {
    salesforce = new FakeSalesforce();
    hubspot = createFakeHubSpot();
    await Promise.all([salesforce.start(), hubspot.start()]);
    stack = await startStack();
    api = await stack.startApi();
    workers = await Promise.all([stack.startWorker(), stack.startWorker()]);
  });
  afterAll(async () => {
    await stack?.stop();
    await Promise.all([salesforce?.stop(), hubspot?.stop()]);
  });

  async function destination(key: string, body: Record<string, unknown>): Promise<string> {
    const res = await api.call('POST', '/v1/destinations', { key, body: { name: String(body.type), batch: { enabled: true }, ...body } });
    if (res.status !== 201) throw new Error(`destination: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id;
  }

  const sfMapping = [
    { from: 'email', to: 'Email' },
    { from: 'lastName', to: 'LastName' },
    { from: 'company', to: 'Company', default: 'Co' },
  ];
  const leadData = (tag: string, i: number) =>
    i === REFUSED
      ? { email: `${tag}-nolast@example.com`, company: 'Co' }
      : { email: `${tag}-${i}@example.com`, firstName: 'A', lastName: `L${i}`, company: 'Co' };

  const statusesOf = async (destinationId: string) => {
    const groups = await stack.database.db.delivery.groupBy({ by: ['status'], where: { destinationId }, _count: { _all: true } });
    return Object.fromEntries(groups.map((g) => [g.status, g._count._all]));
  };

  it(
    `${LEADS} leads: the request answers at once, Salesforce gets Bulk jobs, HubSpot batches, every record lands on its delivery`,
    async () => {
      const { db } = stack.database;
      const key = (await api.createAccount('Bulk import')).apiKey;
      const accountId = (await db.account.findFirstOrThrow({ where: { name: 'Bulk import' } })).id;
      // Leads inserted as an import leaves them (pending, no deliveries); the CRMs are connected after.
      const leads = Array.from({ length: LEADS }, (_, i) => ({
        id: uuidv7(),
        accountId,
        status: 'pending',
        data: leadData('bulk', i),
      }));
      for (let i = 0; i < leads.length; i += 2000) await db.lead.createMany({ data: leads.slice(i, i + 2000) });
      const sfId = await destination(key, {
        type: 'salesforce',
        config: { instanceUrl: salesforce.url },
        credentials: { accessToken: 'sf-access-token' },
        fieldMapping: sfMapping,
      });
      const hsId = await destination(key, { type: 'hubspot', config: { baseUrl: hubspot.url }, credentials: { accessToken: FAKE_HUBSPOT_TOKEN } });

      const t0 = performance.now();
      const res = await api.call('POST', '/v1/leads/push-pending', { key });
      const answeredMs = performance.now() - t0;
      expect(res.status).toBe(202);
      expect(res.body).toEqual({ operationId: expect.any(String), leads: LEADS, deliveries: 2 * LEADS });
      // The request only counts and records the operation; the paging runs in the background.
      expect(answeredMs).toBeLessThan(2000);

      const operation = await api.finishedOperation(res.body.operationId, key, waitMs(30_000, 5));
      const pagedMs = performance.now() - t0;
      expect(operation).toMatchObject({ status: 'done', progress: { leads: LEADS, deliveries: 2 * LEADS }, error: null });
      await allLeadsSettled(stack.database, `${LEADS} leads to be delivered`, waitMs(60_000, 10)).catch(async (err) => {
        console.log(
          JSON.stringify({ sf: await statusesOf(sfId), hs: await statusesOf(hsId) }),
          workers.map((w) => w.logs.slice(-10).join('\n')).join('\n----\n'),
        );
        throw err;
      });
      const settledMs = performance.now() - t0;

      // Salesforce: Bulk 2.0 ingest jobs carried the backlog; what went otherwise is its small tail.
      const bulkJobs = salesforce.server.callsTo('bulk.create').length;
      const collections = salesforce.server.callsTo('collections.create').length;
      const singles = salesforce.server.callsTo('sobject.create').length;
      const bulkRecords = [...salesforce.bulk.jobs.values()].reduce((n, j) => n + j.successful.length + j.failed.length, 0);
      const hubspotBatches = hubspot.server.callsTo(HUBSPOT_ROUTES.batchUpsert).length + hubspot.server.callsTo(HUBSPOT_ROUTES.batchCreate).length;
      const hubspotSingles = hubspot.server.callsTo(HUBSPOT_ROUTES.create).length + hubspot.server.callsTo(HUBSPOT_ROUTES.update).length;
      const timings = { leads: LEADS, answeredMs: Math.round(answeredMs), pagedMs: Math.round(pagedMs), settledMs: Math.round(settledMs) };
      const calls = { bulkJobs, bulkRecords, collections, singles, hubspotBatches, hubspotSingles };
      process.stdout.write(`push-pending of a large import: ${JSON.stringify(timings)} ${JSON.stringify(calls)}\n`);
      expect(bulkJobs).toBeGreaterThanOrEqual(1);
      expect(bulkRecords).toBeGreaterThan(LEADS / 2);
      expect(salesforce.bulk.completedJobs()).toHaveLength(bulkJobs);
      for (const job of salesforce.bulk.jobs.values()) expect(job.successful.length + job.failed.length).toBeGreaterThan(BULK_THRESHOLD);
      expect(collections * 200 + singles).toBeGreaterThanOrEqual(LEADS - bulkRecords);
      expect(collections + singles).toBeLessThanOrEqual(Math.ceil((LEADS - bulkRecords) / 200) + 20);
      // HubSpot: batches of up to 100, a few going alone at most.
      expect(hubspotBatches + hubspotSingles).toBeLessThanOrEqual(Math.ceil(LEADS / 100) + 20);

      // Every record's result on its own delivery: each lead once at each CRM, the refused one failed alone.
      expect(await statusesOf(sfId)).toEqual({ succeeded: LEADS - 1, failed: 1 });
      expect(await statusesOf(hsId)).toEqual({ succeeded: LEADS });
      const sfRecords = salesforce.recordsOf('Lead');
      expect(sfRecords).toHaveLength(LEADS - 1);
      expect(new Set(sfRecords.map((r) => r.Email)).size).toBe(LEADS - 1);
      expect(new Set(hubspot.contacts.all().map((c) => c.properties.email)).size).toBe(LEADS);
      const sfDeliveries = await db.delivery.findMany({ where: { destinationId: sfId, status: 'succeeded' }, select: { externalId: true } });
      const storedIds = new Set(sfRecords.map((r) => r.Id));
      expect(sfDeliveries.every((d) => d.externalId && storedIds.has(d.externalId))).toBe(true);
      expect(new Set(sfDeliveries.map((d) => d.externalId)).size).toBe(LEADS - 1);

      const refused = await db.delivery.findFirstOrThrow({ where: { destinationId: sfId, status: 'failed' }, include: { lead: true } });
      expect(refused.lead.id).toBe(leads[REFUSED].id);
      expect(refused).toMatchObject({ lastErrorCode: 'REQUIRED_FIELD_MISSING', lastErrorRetryable: false });

      // Every attempt row carries its call's size, so they add up to the calls made.
      const callsFromAttempts = async (destinationId: string) => {
        const attempts = await db.attempt.findMany({ where: { delivery: { destinationId } }, select: { batchSize: true } });
        return Math.round(attempts.reduce((calls, a) => calls + 1 / (a.batchSize ?? 1), 0));
      };
      expect(await callsFromAttempts(sfId)).toBe(bulkJobs + collections + singles);
      expect(await callsFromAttempts(hsId)).toBe(hubspotBatches + hubspotSingles);

      // Riders were woken: no job is left waiting on a settled delivery.
      await waitFor(
        'every delivery job finished',
        async () => {
          try {
            await stack.expectNoBrokenDeliveries();
            return true;
          } catch {
            return undefined;
          }
        },
        { timeoutMs: waitMs(10_000, 2) },
      );
      await stack.expectNoBrokenDeliveries();
    },
    waitMs(120_000, 20),
  );

  it('a backlog the sweep finds goes as one Bulk job; a failed job retries them all; a refused record fails alone with its sf__Error code', async () => {
    const { db } = stack.database;
    const org = new FakeSalesforce();
    await org.start();
    try {
      const key = (await api.createAccount('Lost jobs')).apiKey;
      const sfId = await destination(key, {
        type: 'salesforce',
        config: { instanceUrl: org.url },
        credentials: { accessToken: 'sf-access-token' },
        fieldMapping: sfMapping,
      });
      const accountId = (await db.destination.findUniqueOrThrow({ where: { id: sfId } })).accountId;
      // The first job Salesforce is given fails as a whole, as an outage would.
      org.server.script('bulk.create', [{ status: 503, body: [{ errorCode: 'SERVER_UNAVAILABLE', message: 'down for maintenance' }] }]);
      // As a Redis loss leaves them: queued in PostgreSQL, no job. The sweep finds them all at once.
      const count = 2500;
      const leads = Array.from({ length: count }, (_, i) => ({ id: uuidv7(), accountId, status: 'pending', data: leadData('lost', i) }));
      await db.lead.createMany({ data: leads });
      await db.delivery.createMany({ data: leads.map((l) => ({ id: uuidv7(), accountId, leadId: l.id, destinationId: sfId, status: 'queued' })) });

      await waitFor(
        `${count} deliveries settled`,
        async () => ((await db.delivery.count({ where: { destinationId: sfId, status: { in: ['succeeded', 'failed'] } } })) === count ? true : undefined),
        { timeoutMs: 60_000, intervalMs: 200 },
      );
      expect(await statusesOf(sfId)).toEqual({ succeeded: count - 1, failed: 1 });
      // One Bulk job failed whole (every delivery logged the 503 and was retried), one did the work.
      expect(org.server.callsTo('bulk.create').length).toBeGreaterThanOrEqual(2);
      const failedCall = await db.attempt.groupBy({ by: ['batchSize'], where: { delivery: { destinationId: sfId }, statusCode: 503 }, _count: { _all: true } });
      expect(failedCall).toEqual([{ batchSize: count, _count: { _all: count } }]);
      expect(org.bulk.completedJobs().length).toBeGreaterThanOrEqual(1);
      for (const job of org.bulk.completedJobs()) expect(job.successful.length + job.failed.length).toBeGreaterThan(BULK_THRESHOLD);
      const records = org.recordsOf('Lead');
      expect(records).toHaveLength(count - 1);
      expect(new Set(records.map((r) => r.Email)).size).toBe(count - 1);

      // The refused record: failed alone, not retried, with the code of its sf__Error, inside a Bulk job.
      const refused = await db.delivery.findFirstOrThrow({
        where: { destinationId: sfId, status: 'failed' },
        include: { attemptLog: { orderBy: { startedAt: 'asc' } } },
      });
      expect(refused.leadId).toBe(leads[REFUSED].id);
      expect(refused).toMatchObject({ lastErrorCode: 'REQUIRED_FIELD_MISSING', lastErrorRetryable: false, nextRetryAt: null });
      expect(refused.lastErrorMessage).toMatch(/LastName/);
      const last = refused.attemptLog[refused.attemptLog.length - 1];
      expect(last).toMatchObject({ errorCode: 'REQUIRED_FIELD_MISSING' });
      expect(last.batchSize).toBeGreaterThan(BULK_THRESHOLD);
      const delivered = await db.delivery.findMany({ where: { destinationId: sfId, status: 'succeeded' }, select: { externalId: true } });
      const storedIds = new Set(records.map((r) => r.Id));
      expect(delivered.every((d) => d.externalId && storedIds.has(d.externalId))).toBe(true);
    } finally {
      await org.stop();
    }
  }, 120_000);
});
