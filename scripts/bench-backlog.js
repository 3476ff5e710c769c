// `npm run bench -- --backlog [salesforce,hubspot] [--backlog-workers 2]`: push-pending of a large
// import, on real api and worker processes against the enforcing fakes. BENCH_BACKLOG_LEADS
// (100 000) pending leads are written straight into PostgreSQL, as an import leaves them; a
// destination is connected; POST /v1/leads/push-pending answers with an operation, and the bench
// waits until every delivery has settled.
//   salesforce: Bulk API 2.0 ingest jobs for the backlog (Collections of 200 for a tail under 2 000).
//   hubspot:    a fake that enforces 100 calls per 10 s; batches of 100 (ideal: leads / 100 × 0.1 s).
// Per vendor: time to answer, to the operation's `done`, and to every delivery settled; write calls
// made and records per call; leads lost (not succeeded) and duplicated (records beyond one per lead).
const { option, printTable, sleep, startStack, statusesOf } = require('./bench-common');

const LEADS = Number(process.env.BENCH_BACKLOG_LEADS ?? 100_000);
const HUBSPOT_MAX = 100;
const HUBSPOT_INTERVAL_MS = 10_000;
const INSERT_CHUNK = 10_000;
/** The bench's ceiling for each vendor's time to done. */
const TARGET_SECONDS = 120;

/** `n` pending leads of the account, inserted in chunks with one statement each. */
async function insertPendingLeads(stack, accountId, n) {
  for (let from = 0; from < n; from += INSERT_CHUNK) {
    const count = Math.min(INSERT_CHUNK, n - from);
    await stack.pg.query(
      `INSERT INTO leads (id, account_id, status, data, updated_at)
       SELECT gen_random_uuid()::text, $1, 'pending',
              jsonb_build_object('email', 'import-' || i || '@example.com', 'firstName', 'Ada', 'lastName', 'Lovelace ' || i, 'company', 'Analytical'),
              now()
         FROM generate_series($2::int, $3::int) AS i`,
      [accountId, from, from + count - 1],
    );
  }
}

async function accountIdOf(stack, name) {
  const { rows } = await stack.pg.query('SELECT id FROM accounts WHERE name = $1', [name]);
  return rows[0].id;
}

/** Polls until every delivery of the destination has settled (succeeded or failed). */
async function waitSettled(stack, destinationId, n, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const statuses = await statusesOf(stack, destinationId);
    if ((statuses.succeeded ?? 0) + (statuses.failed ?? 0) >= n) return statuses;
    if (Date.now() > deadline) throw new Error(`only ${JSON.stringify(statuses)} of ${n} settled in ${timeoutMs} ms`);
    await sleep(250);
  }
}

/** Pushes the account's backlog to one destination and measures it to the last settled delivery. */
async function pushBacklog(stack, key, destinationId) {
  const started = performance.now();
  const res = await stack.call('POST', '/v1/leads/push-pending', key);
  const answeredMs = performance.now() - started;
  if (res.status !== 202) throw new Error(`push-pending answered ${res.status}: ${JSON.stringify(res.body)}`);
  let pagedMs;
  const statusesPromise = waitSettled(stack, destinationId, LEADS, 20 * 60_000);
  for (;;) {
    const op = await stack.call('GET', `/v1/operations/${res.body.operationId}`, key);
    if (op.body.status !== 'running') {
      if (op.body.status !== 'done') throw new Error(`the operation ended ${op.body.status}: ${JSON.stringify(op.body.error)}`);
      pagedMs = performance.now() - started;
      break;
    }
    await sleep(250);
  }
  const statuses = await statusesPromise;
  return { answeredMs, pagedMs, settledMs: performance.now() - started, statuses };
}

function row(vendor, { answeredMs, pagedMs, settledMs, statuses }, { calls, records, uniqueRecords, extra }) {
  const seconds = settledMs / 1000;
  return {
    vendor,
    leads: LEADS,
    'answered ms': Math.round(answeredMs),
    'paged s': (pagedMs / 1000).toFixed(1),
    'done s': seconds.toFixed(1),
    'done / 120 s': (seconds / TARGET_SECONDS).toFixed(2),
    'write calls': calls,
    'records / call': (records / Math.max(1, calls)).toFixed(0),
    lost: LEADS - (statuses.succeeded ?? 0),
    duplicated: records - uniqueRecords,
    ...extra,
  };
}

async function salesforceScenario(workers) {
  const { FakeSalesforce } = require('@crm-push/testing');
  const salesforce = new FakeSalesforce({ apiLimit: 1_000_000 });
  await salesforce.start();
  const stack = await startStack(workers);
  try {
    const key = await stack.account('bench backlog salesforce');
    await insertPendingLeads(stack, await accountIdOf(stack, 'bench backlog salesforce'), LEADS);
    const id = await stack.destination(key, {
      type: 'salesforce',
      config: { instanceUrl: salesforce.url },
      credentials: { accessToken: 'sf-access-token' },
      fieldMapping: [
        { from: 'email', to: 'Email' },
        { from: 'lastName', to: 'LastName' },
        { from: 'company', to: 'Company' },
      ],
    });
    const measured = await pushBacklog(stack, key, id);
    const bulkJobs = salesforce.server.callsTo('bulk.create').length;
    const collections = salesforce.server.callsTo('collections.create').length;
    const singles = salesforce.server.callsTo('sobject.create').length;
    const records = salesforce.recordsOf('Lead');
    return row('salesforce', measured, {
      calls: bulkJobs + collections + singles,
      records: records.length,
      uniqueRecords: new Set(records.map((r) => r.Email)).size,
      extra: { detail: `${bulkJobs} Bulk 2.0 jobs, ${collections} Collections, ${singles} single; ${salesforce.apiUsage} API calls in all` },
    });
  } finally {
    await stack.stop();
    await salesforce.stop();
  }
}

async function hubspotScenario(workers) {
  const { createFakeHubSpot, FAKE_HUBSPOT_TOKEN, HUBSPOT_ROUTES } = require('@crm-push/testing');
  const hubspot = createFakeHubSpot({ limits: { max: HUBSPOT_MAX, intervalMs: HUBSPOT_INTERVAL_MS, daily: 1_000_000 } });
  await hubspot.start();
  const stack = await startStack(workers);
  try {
    const key = await stack.account('bench backlog hubspot');
    await insertPendingLeads(stack, await accountIdOf(stack, 'bench backlog hubspot'), LEADS);
    const id = await stack.destination(key, { type: 'hubspot', config: { baseUrl: hubspot.url }, credentials: { accessToken: FAKE_HUBSPOT_TOKEN } });
    const measured = await pushBacklog(stack, key, id);
    const callsTo = (...routes) => routes.reduce((n, route) => n + hubspot.server.callsTo(route).length, 0);
    const batches = callsTo(HUBSPOT_ROUTES.batchUpsert, HUBSPOT_ROUTES.batchCreate);
    const singles = callsTo(HUBSPOT_ROUTES.create, HUBSPOT_ROUTES.update);
    const contacts = hubspot.contacts.all();
    const idealSeconds = (LEADS / 100 / HUBSPOT_MAX) * (HUBSPOT_INTERVAL_MS / 1000);
    return row(`hubspot ${HUBSPOT_MAX}/${HUBSPOT_INTERVAL_MS / 1000}s`, measured, {
      calls: batches + singles,
      records: contacts.length,
      uniqueRecords: new Set(contacts.map((c) => c.properties.email)).size,
      extra: { detail: `${batches} batches, ${singles} single; ${hubspot.limiter.rejected} answered 429; ideal ${idealSeconds.toFixed(0)} s` },
    });
  } finally {
    await stack.stop();
    await hubspot.stop();
  }
}

const SCENARIOS = { salesforce: salesforceScenario, hubspot: hubspotScenario };

async function main() {
  const vendors = option('backlog', 'salesforce,hubspot').split(',');
  const unknown = vendors.filter((v) => !(v in SCENARIOS));
  if (unknown.length) throw new Error(`--backlog takes salesforce and/or hubspot, not ${unknown.join(', ')}`);
  const workers = Number(option('backlog-workers', '2'));
  console.log(`backlog bench: push-pending of ${LEADS} leads to ${vendors.join(', ')} with ${workers} worker process(es), ${new Date().toISOString()}`);
  const rows = [];
  for (const vendor of vendors) {
    rows.push(await SCENARIOS[vendor](workers));
    console.error(`done: ${vendor}`);
  }
  printTable(rows);
}

module.exports = { main };
