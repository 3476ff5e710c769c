// `npm run bench -- --lanes [hubspot,hang] [--lanes-workers 2]`: flow control at the vendors' real
// limits, on real api and worker processes against the enforcing fakes.
//   hubspot: a fake HubSpot that enforces 100 calls per 10 s (and says so only in its
//            X-HubSpot-RateLimit-* headers), 2 000 leads, unbatched, a destination with no `limits`.
//            Ideal time: what the window allows (leads / 100 × 10 s).
//   hang:    a healthy custom destination, alone and then next to another account's destination
//            that hangs to its 10 s timeout; the healthy lane's lag p95 beside / solo (target ≤ 2×).
// Per scenario: throughput, lag p50/p95/p99 (lead stored → delivery succeeded, PostgreSQL's
// clock), calls made, 429s seen, and the ideal time. Kept apart from bench.js's main phase.
const { option, percentile, printTable, sleep, startStack, statusesOf } = require('./bench-common');

const HUBSPOT_LEADS = Number(process.env.BENCH_HUBSPOT_LEADS ?? 2000);
const HUBSPOT_MAX = 100;
const HUBSPOT_INTERVAL_MS = 10_000;
const HANG_TIMEOUT_MS = 10_000;
const HANG_LEADS = Number(process.env.BENCH_HANG_LEADS ?? 300);
const HANG_RATE = 50; // healthy leads posted per second, as traffic arrives

/** POSTs `n` leads, `concurrency` at a time, or paced at `perSecond` when given. */
async function postLeads(stack, key, n, tag, { concurrency = 50, perSecond } = {}) {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: perSecond ? Math.min(concurrency, 10) : concurrency }, async () => {
      while (next < n) {
        const i = next++;
        if (perSecond) {
          const due = started + (i * 1000) / perSecond;
          if (due > performance.now()) await sleep(due - performance.now());
        }
        const res = await stack.call('POST', '/v1/leads', key, { data: { email: `${tag}${i}@example.com`, firstName: 'Ada', lastName: `Lovelace ${i}` } });
        if (res.status !== 202) throw new Error(`ingest answered ${res.status}: ${JSON.stringify(res.body)}`);
      }
    }),
  );
}

async function succeededCount(stack, destinationId) {
  const { rows } = await stack.pg.query(`SELECT count(*)::int AS n FROM deliveries WHERE destination_id = $1 AND status = 'succeeded'`, [destinationId]);
  return rows[0].n;
}

async function waitDelivered(stack, destinationId, n, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if ((await succeededCount(stack, destinationId)) >= n) return;
    if (Date.now() > deadline) throw new Error(`only ${await succeededCount(stack, destinationId)} of ${n} delivered in ${timeoutMs} ms`);
    await sleep(200);
  }
}

/** Lags (ms) of the destination's succeeded deliveries of leads stored since `since`, sorted. */
async function lagsOf(stack, destinationId, since) {
  const { rows } = await stack.pg.query(
    `SELECT extract(epoch FROM d.updated_at - l.created_at) * 1000 AS lag
       FROM deliveries d JOIN leads l ON l.id = d.lead_id
      WHERE d.destination_id = $1 AND d.status = 'succeeded' AND l.created_at >= $2`,
    [destinationId, since],
  );
  return rows.map((r) => Number(r.lag)).sort((a, b) => a - b);
}

function row(scenario, { leads, seconds, lags, calls, rejected, idealSeconds, extra = {} }) {
  return {
    scenario,
    leads,
    seconds: seconds.toFixed(1),
    'deliveries/s': (leads / seconds).toFixed(1),
    'lag p50 ms': Math.round(percentile(lags, 50)),
    'lag p95 ms': Math.round(percentile(lags, 95)),
    'lag p99 ms': Math.round(percentile(lags, 99)),
    calls,
    '429s': rejected,
    'ideal s': idealSeconds === undefined ? '-' : idealSeconds.toFixed(1),
    'time / ideal': idealSeconds === undefined ? '-' : (seconds / idealSeconds).toFixed(2),
    ...extra,
  };
}

async function hubspotScenario(workers) {
  const { createFakeHubSpot, FAKE_HUBSPOT_TOKEN } = require('@crm-push/testing');
  const hubspot = createFakeHubSpot({ limits: { max: HUBSPOT_MAX, intervalMs: HUBSPOT_INTERVAL_MS } });
  await hubspot.start();
  const stack = await startStack(workers);
  try {
    const key = await stack.account('bench hubspot');
    // One call per lead: the scenario paces single calls at the vendor's limit (a batch would carry 100).
    const id = await stack.destination(key, {
      type: 'hubspot',
      config: { baseUrl: hubspot.url },
      credentials: { accessToken: FAKE_HUBSPOT_TOKEN },
      batch: { enabled: false },
    });
    const since = new Date(Date.now() - 1000);
    const started = performance.now();
    await postLeads(stack, key, HUBSPOT_LEADS, 'hs');
    await waitDelivered(stack, id, HUBSPOT_LEADS, 20 * 60_000);
    const seconds = (performance.now() - started) / 1000;
    const calls = hubspot.server.requests.filter((r) => r.path.startsWith('/crm/')).length;
    const statuses = await statusesOf(stack, id);
    return row(`hubspot ${HUBSPOT_MAX}/${HUBSPOT_INTERVAL_MS / 1000}s, unbatched`, {
      leads: HUBSPOT_LEADS,
      seconds,
      lags: await lagsOf(stack, id, since),
      calls,
      rejected: `${hubspot.limiter.rejected} (${((100 * hubspot.limiter.rejected) / Math.max(1, calls)).toFixed(2)} %)`,
      idealSeconds: (HUBSPOT_LEADS / HUBSPOT_MAX) * (HUBSPOT_INTERVAL_MS / 1000),
      extra: { failed: statuses.failed ?? 0 },
    });
  } finally {
    await stack.stop();
    await hubspot.stop();
  }
}

async function hangScenario(workers) {
  const { createCustomSink } = require('@crm-push/testing');
  const healthy = createCustomSink();
  const hanging = createCustomSink();
  await Promise.all([healthy.start(), hanging.start()]);
  hanging.script('leads', [], { hang: true });
  const stack = await startStack(workers);
  try {
    const healthyKey = await stack.account('bench healthy');
    const healthyId = await stack.destination(healthyKey, { type: 'custom', config: { url: `${healthy.url}/leads` } });
    // Warm-up: connections and query plans, so solo is not penalised for going first.
    await postLeads(stack, healthyKey, 50, 'warm');
    await waitDelivered(stack, healthyId, 50, 60_000);

    const trickle = async (tag) => {
      const before = await succeededCount(stack, healthyId);
      const callsBefore = healthy.requests.length;
      const since = new Date(Date.now() - 1000);
      const started = performance.now();
      await postLeads(stack, healthyKey, HANG_LEADS, tag, { perSecond: HANG_RATE });
      await waitDelivered(stack, healthyId, before + HANG_LEADS, 120_000);
      return { seconds: (performance.now() - started) / 1000, lags: await lagsOf(stack, healthyId, since), calls: healthy.requests.length - callsBefore };
    };
    const solo = await trickle('solo');

    const hangingKey = await stack.account('bench hanging');
    const hangingId = await stack.destination(hangingKey, { type: 'custom', config: { url: `${hanging.url}/leads`, timeoutMs: HANG_TIMEOUT_MS } });
    await postLeads(stack, hangingKey, HANG_LEADS, 'hang');
    for (let i = 0; hanging.requests.length < 5 && i < 100; i++) await sleep(100);
    const beside = await trickle('beside');
    const ideal = HANG_LEADS / HANG_RATE;
    const soloP95 = percentile(solo.lags, 95);
    const besideP95 = percentile(beside.lags, 95);
    const health = (await stack.call('GET', `/v1/destinations/${hangingId}`, hangingKey)).body.health;
    return [
      row('hang: healthy alone', { leads: HANG_LEADS, ...solo, rejected: 0, idealSeconds: ideal }),
      row(`hang: healthy beside a ${HANG_TIMEOUT_MS / 1000} s hang`, {
        leads: HANG_LEADS,
        ...beside,
        rejected: 0,
        idealSeconds: ideal,
        extra: {
          'p95 beside / solo': (besideP95 / soloP95).toFixed(2),
          'hanging calls': hanging.requests.length,
          'hanging health': `${health.state}${health.reason ? ` ${health.reason}` : ''}`,
        },
      }),
    ];
  } finally {
    await stack.stop();
    await Promise.all([healthy.stop(), hanging.stop()]);
  }
}

async function main() {
  const scenarios = option('lanes', 'hang,hubspot').split(',');
  const unknown = scenarios.filter((s) => !['hang', 'hubspot'].includes(s));
  if (unknown.length) throw new Error(`--lanes takes hang and/or hubspot, not ${unknown.join(', ')}`);
  const workers = Number(option('lanes-workers', '2'));
  console.log(`lanes bench: ${scenarios.join(', ')} with ${workers} worker process(es), ${new Date().toISOString()}`);
  const rows = [];
  if (scenarios.includes('hang')) {
    rows.push(...(await hangScenario(workers)));
    console.error('done: hang');
  }
  if (scenarios.includes('hubspot')) {
    rows.push(await hubspotScenario(workers));
    console.error('done: hubspot');
  }
  printTable(rows);
}

module.exports = { main };
