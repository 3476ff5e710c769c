// `npm run bench -- --lanes [hubspot,hang] [--lanes-workers 2]`: flow control at the vendors' real
// limits, on real api and worker processes against the enforcing fakes.
//   hubspot: a fake HubSpot that enforces 100 calls per 10 s (and says so only in its
//            X-HubSpot-RateLimit-* headers), 2 000 leads, unbatched, a destination with no `limits`.
//            Ideal time: what the window allows (leads / 100 × 10 s).
//   hang:    a healthy custom destination, alone and then next to another account's destination
//            that hangs to its 10 s timeout; the healthy lane's lag p95 beside / solo (target ≤ 2×).
// Per scenario: throughput, lag p50/p95/p99 (lead stored → delivery succeeded, PostgreSQL's
// clock), calls made, 429s seen, and the ideal time. Kept apart from bench.js's main phase.
const { spawn } = require('node:child_process');
const path = require('node:path');
const { request, Agent } = require('undici');
const { freePort, percentile } = require('./bench-common');
const { PROCESS_NODE_FLAGS } = require('@crm-push/config');

const DB_URL = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/crm_push_bench';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/15';
const ADMIN_TOKEN = 'bench-admin-token-0123456789';
const root = path.resolve(__dirname, '..');

const HUBSPOT_LEADS = Number(process.env.BENCH_HUBSPOT_LEADS ?? 2000);
const HUBSPOT_MAX = 100;
const HUBSPOT_INTERVAL_MS = 10_000;
const HANG_TIMEOUT_MS = 10_000;
const HANG_LEADS = Number(process.env.BENCH_HANG_LEADS ?? 300);
const HANG_RATE = 50; // healthy leads posted per second, as traffic arrives

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  const value = i > 0 ? process.argv[i + 1] : undefined;
  return value !== undefined && !value.startsWith('--') ? value : fallback;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function resetStores() {
  const { Client } = require('pg');
  const url = new URL(DB_URL);
  const name = url.pathname.slice(1);
  url.pathname = '/postgres';
  const admin = new Client({ connectionString: url.toString() });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
  await require('@crm-push/db').prepareDatabase(DB_URL);
  const { Redis } = require('ioredis');
  const redis = new Redis(REDIS_URL);
  await redis.flushdb(); // the bench's own Redis database (BENCH_REDIS_URL)
  redis.disconnect();
}

/** The api and `workers` worker processes on fresh stores; `call` speaks to the api. */
async function startStack(workers) {
  await resetStores();
  const port = await freePort();
  const env = {
    ...process.env,
    PORT: String(port),
    DATABASE_URL: DB_URL,
    REDIS_URL,
    ADMIN_TOKEN,
    ALLOW_PRIVATE_DESTINATIONS: 'true',
    LOG_LEVEL: 'warn',
    METRICS_PORT: '0',
    WORKER_CONCURRENCY: process.env.WORKER_CONCURRENCY ?? '50',
  };
  const spawnEntry = (entry) => spawn(process.execPath, [...PROCESS_NODE_FLAGS, path.join(root, entry)], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  const children = [spawnEntry('apps/api/dist/main.js'), ...Array.from({ length: workers }, () => spawnEntry('apps/worker/dist/main.js'))];
  let stopping = false;
  for (const child of children) {
    child.once('exit', (code) => {
      if (!stopping) {
        console.error(`bench failed: a process exited early (code ${code})`);
        process.exit(1);
      }
    });
  }
  const base = `http://127.0.0.1:${port}`;
  const agent = new Agent({ connections: 50, keepAliveTimeout: 30000 });
  const call = async (method, p, key, body) => {
    const res = await request(base + p, {
      method,
      dispatcher: agent,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: body && JSON.stringify(body),
    });
    const text = await res.body.text();
    return { status: res.statusCode, body: text ? JSON.parse(text) : undefined };
  };
  for (let i = 0; ; i++) {
    try {
      if ((await request(`${base}/health`, { dispatcher: agent })).statusCode === 200) break;
    } catch {
      if (i > 100) throw new Error('api did not start');
      await sleep(100);
    }
  }
  const { Client } = require('pg');
  const pg = new Client({ connectionString: DB_URL });
  await pg.connect();
  const stop = async () => {
    stopping = true;
    for (const child of children) child.kill('SIGTERM');
    // Workers finish their calls in flight on SIGTERM; a hanging CRM would hold them to its timeout.
    const kill = setTimeout(() => children.forEach((c) => c.exitCode === null && c.kill('SIGKILL')), 15_000);
    await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r() : c.once('exit', r)))));
    clearTimeout(kill);
    await pg.end();
    await agent.close();
  };
  const account = async (name) => {
    const res = await call('POST', '/v1/accounts', ADMIN_TOKEN, { name });
    if (res.status !== 201) throw new Error(`account creation answered ${res.status}`);
    return res.body.apiKey;
  };
  const destination = async (key, body) => {
    const res = await call('POST', '/v1/destinations', key, { name: body.type, ...body });
    if (res.status !== 201) throw new Error(`destination creation answered ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body.id;
  };
  return { call, pg, stop, account, destination };
}

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

async function statusesOf(stack, destinationId) {
  const { rows } = await stack.pg.query(`SELECT status, count(*)::int AS n FROM deliveries WHERE destination_id = $1 GROUP BY status`, [destinationId]);
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
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
    const id = await stack.destination(key, { type: 'hubspot', config: { baseUrl: hubspot.url }, credentials: { accessToken: FAKE_HUBSPOT_TOKEN } });
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

function printTable(rows) {
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (r, k) => String(r[k] ?? '');
  const width = (k) => Math.max(k.length, ...rows.map((r) => cell(r, k).length));
  const line = (cells) => `| ${cells.join(' | ')} |`;
  console.log(line(keys.map((k) => k.padEnd(width(k)))));
  console.log(line(keys.map((k) => '-'.repeat(width(k)))));
  for (const r of rows) console.log(line(keys.map((k) => cell(r, k).padStart(width(k)))));
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
