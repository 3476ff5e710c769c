#!/usr/bin/env node
// `npm run bench [-- --workers 1,2,4] [-- --cluster-workers 2] [-- --lanes hang,hubspot]`: the whole path under load.
// Starts a local custom CRM (keep-alive HTTP), the api and N worker processes, creates an account
// with BENCH_DESTINATIONS custom destinations, POSTs BENCH_LEADS leads at BENCH_CONCURRENCY, and
// prints, per scenario, ingest and delivery throughput, the lag from POST to the CRM's receipt
// (p50/p99), and CPU per delivery split by api, workers, Redis and PostgreSQL. Scenarios: each
// worker count on one Redis (BENCH_REDIS_URL), then a local 3-master Redis Cluster with
// QUEUE_SHARDS=1 and 3 (at --cluster-workers workers; 0 skips them).
//
// Always printed: CPU-ms per lead (api) and per delivery (workers), from /proc/<pid>/stat, and each
// process's RSS after the run; and, measured in the same run, two ceilings the delivery rate is
// printed as a ratio of: raw BullMQ (no-op jobs, concurrency 50) and a raw pipeline (a BullMQ worker
// POSTing each job's ~1 KB body to the same sink with undici over keep-alive, no database). Last,
// the performance targets against the first scenario's figures: each one met or not.
// Flags: --profile (CPU profiles of the api and workers, top functions by self time), --heap (a heap
// snapshot of each process after the run), --sustained (1 000 leads/s × 3 destinations for 30 s,
// paced; BENCH_SUSTAINED_RATE and BENCH_SUSTAINED_SECONDS change it), --no-ceilings, --no-isolation
// (skips the regular-expression isolation figures that follow the first scenario).
const { spawn } = require('node:child_process');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const {
  ADMIN_TOKEN,
  DB_URL,
  REDIS_URL,
  apiClient,
  benchLead,
  cpuSeconds,
  postmasterPid,
  resetStores,
  freePort,
  option,
  percentile,
  printTable,
  rssMb,
  spawnProcesses,
} = require('./bench-common');

const LEADS = Number(process.env.BENCH_LEADS ?? 3000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const DESTINATIONS = Number(process.env.BENCH_DESTINATIONS ?? 3);
const root = path.resolve(__dirname, '..');
const fs = require('node:fs');
const PROFILE = process.argv.includes('--profile');
const HEAP = process.argv.includes('--heap');
const SUSTAINED = process.argv.includes('--sustained');
const SUSTAINED_RATE = Number(process.env.BENCH_SUSTAINED_RATE ?? 1000);
const SUSTAINED_SECONDS = Number(process.env.BENCH_SUSTAINED_SECONDS ?? 30);
const CEILING_JOBS = Number(process.env.BENCH_CEILING_JOBS ?? 20000);

/** Self time per function (functionName + url:line) from one .cpuprofile, top `n`. */
function topSelfTime(file, n = 15) {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const byFunction = new Map();
  let total = 0;
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = byId.get(id).callFrame;
    const where = url ? `${url.replace(`file://${root}/`, '').replace(/.*node_modules\//, '~/')}:${lineNumber + 1}` : '';
    const key = `${functionName || '(anonymous)'} ${where}`.trim();
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
    total += us;
  }
  return [...byFunction.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([fn, us]) => ({ 'self ms': Math.round(us / 1000), '%': ((100 * us) / total).toFixed(1), function: fn }));
}

/** Runs scripts/bench-ceiling.js in its own process and returns its figures. */
function ceiling(mode, redisUrl, jobs, sinkUrl) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(__dirname, 'bench-ceiling.js'), mode, redisUrl, String(jobs), sinkUrl ?? ''], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop())) : reject(new Error(`ceiling ${mode} exited ${code}`))));
  });
}

/** The CRM: answers 201 and notes when each bench lead's delivery arrived (lags, in ms since POST). */
function startCrm(postedAt, lags) {
  let received = 0;
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      received += 1;
      const match = /"lead(\d+)@example\.com"/.exec(Buffer.concat(chunks).toString('utf8'));
      const sent = match ? postedAt.get(Number(match[1])) : undefined;
      if (sent !== undefined) lags.push(performance.now() - sent);
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(`{"id":"r${received}"}`);
    });
  });
  server.keepAliveTimeout = 30000;
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: server.address().port, received: () => received })));
}

/** Redis CPU seconds from INFO on every node (works for one node and for a cluster's masters). */
async function redisCpu(nodes) {
  const { Redis } = require('ioredis');
  let total = 0;
  for (const url of nodes) {
    const r = new Redis(url);
    const info = await r.info('cpu');
    r.disconnect();
    for (const key of ['used_cpu_sys', 'used_cpu_user']) total += Number(new RegExp(`${key}:([\\d.]+)`).exec(info)[1]);
  }
  return total;
}

/** One end-to-end run; with `isolation`, the regular-expression isolation figures follow it on the same api. */
async function runScenario({ label, workers, redisEnv, redisNodes, flushUrl, isolation = false }) {
  await resetStores(flushUrl ?? null);
  const postedAt = new Map();
  const lags = [];
  const crm = await startCrm(postedAt, lags);
  const port = await freePort();
  const env = {
    ...process.env,
    PORT: String(port),
    DATABASE_URL: DB_URL,
    ...redisEnv,
    ADMIN_TOKEN,
    ALLOW_PRIVATE_DESTINATIONS: 'true',
    LOG_LEVEL: 'warn',
    METRICS_PORT: '0',
    // The bench measures the path, not the per-account limit (the sustained phase alone sends 30 000 a minute).
    RATE_LIMIT_PER_MINUTE: process.env.RATE_LIMIT_PER_MINUTE ?? '0',
    ...(process.env.WORKER_CONCURRENCY ? { WORKER_CONCURRENCY: process.env.WORKER_CONCURRENCY } : {}),
  };
  const profileDir = PROFILE || HEAP ? fs.mkdtempSync(path.join(os.tmpdir(), 'crm-push-bench-')) : undefined;
  const roleArgs = (role) => [
    ...(PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${role}.cpuprofile`] : []),
    ...(HEAP ? ['--heapsnapshot-signal=SIGUSR2'] : []),
  ];
  const { children, stopping } = spawnProcesses({ env, workers, roleArgs, cwd: profileDir ?? root });
  const { agent, call, healthy } = apiClient(`http://127.0.0.1:${port}`, CONCURRENCY);
  const pgPid = await postmasterPid();
  try {
    await healthy();
    // Idle: started and answering, before any account or lead (a worker's ready line comes before the api's /health).
    await new Promise((r) => setTimeout(r, 1000));
    const idleRss = children.map((c) => rssMb(c.pid));
    const account = (await call('POST', '/v1/accounts', ADMIN_TOKEN, { name: 'bench' })).body;
    for (let d = 0; d < DESTINATIONS; d++) {
      await call('POST', '/v1/destinations', account.apiKey, { name: `crm ${d}`, type: 'custom', config: { url: `http://127.0.0.1:${crm.port}/leads/${d}` } });
    }
    // Warm-up, so the figures measure steady state rather than connection set-up and query compilation.
    for (let i = 0; i < 50 * workers; i++) await call('POST', '/v1/leads', account.apiKey, { data: { email: `warm${i}@example.com` } });
    while (crm.received() < 50 * workers * DESTINATIONS) await new Promise((r) => setTimeout(r, 50));
    const deliveredBefore = crm.received();

    const cpu = async () => ({
      api: cpuSeconds(children[0].pid),
      workers: children.slice(1).reduce((t, c) => t + cpuSeconds(c.pid), 0),
      postgres: pgPid ? cpuSeconds(pgPid, true) : NaN,
      redis: await redisCpu(redisNodes),
    });
    const cpuBefore = await cpu();
    const load = os.loadavg()[0];
    const latencies = [];
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < LEADS) {
          const i = next++;
          const t0 = performance.now();
          postedAt.set(i, t0);
          const res = await call('POST', '/v1/leads', account.apiKey, benchLead(i));
          if (res.status !== 202) throw new Error(`ingest answered ${res.status}: ${JSON.stringify(res.body)}`);
          latencies.push(performance.now() - t0);
        }
      }),
    );
    const ingestSeconds = (performance.now() - started) / 1000;
    const expected = deliveredBefore + LEADS * DESTINATIONS;
    while (crm.received() < expected) await new Promise((r) => setTimeout(r, 20));
    const totalSeconds = (performance.now() - started) / 1000;
    const cpuAfter = await cpu();
    const deliveries = LEADS * DESTINATIONS;
    const perDelivery = perDeliveryOf(cpuBefore, cpuAfter, deliveries);
    latencies.sort((a, b) => a - b);
    lags.sort((a, b) => a - b);
    const row = {
      scenario: label,
      workers,
      'load1 before': load.toFixed(1),
      'ingest leads/s': Math.round(LEADS / ingestSeconds),
      'ingest p50 ms': Math.round(percentile(latencies, 50)),
      'ingest p99 ms': Math.round(percentile(latencies, 99)),
      'deliveries/s': Math.round(deliveries / totalSeconds),
      'lag p50 ms': Math.round(percentile(lags, 50)),
      'lag p99 ms': Math.round(percentile(lags, 99)),
      'api CPU ms/lead': (((cpuAfter.api - cpuBefore.api) * 1000) / LEADS).toFixed(3),
      'worker CPU ms/delivery': perDelivery('workers').toFixed(3),
      'CPU ms/delivery': allProcesses(perDelivery).toFixed(3),
      'api ms': perDelivery('api').toFixed(3),
      'workers ms': perDelivery('workers').toFixed(3),
      'redis ms': perDelivery('redis').toFixed(3),
      'pg ms': perDelivery('postgres').toFixed(3),
    };
    if (SUSTAINED) Object.assign(row, await sustained(call, account.apiKey, crm, postedAt, lags, cpu));
    row['api RSS MB idle'] = idleRss[0];
    row['worker RSS MB idle'] = idleRss.slice(1).join('/');
    row['api RSS MB'] = rssMb(children[0].pid);
    row['worker RSS MB'] = children
      .slice(1)
      .map((c) => rssMb(c.pid))
      .join('/');
    if (isolation) for (const [k, v] of Object.entries(await regexIsolation(call, account.apiKey))) console.log(`${k.padEnd(28)} ${v}`);
    if (HEAP) {
      for (const child of children) child.kill('SIGUSR2');
      const settled = async () => {
        for (let size = -1; ;) {
          await new Promise((r) => setTimeout(r, 1000));
          const files = fs.readdirSync(profileDir).filter((f) => f.endsWith('.heapsnapshot'));
          const now = files.reduce((t, f) => t + fs.statSync(path.join(profileDir, f)).size, 0);
          if (files.length === children.length && now === size) return files;
          size = now;
        }
      };
      console.log(`heap snapshots (${label}): ${(await settled()).map((f) => path.join(profileDir, f)).join(' ')}`);
    }
    return row;
  } finally {
    stopping();
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r() : c.once('exit', r)))));
    crm.server.close();
    await agent.close();
    if (PROFILE) {
      for (const file of fs.readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile'))) {
        console.log(`\nTop self time, ${label}, ${file.replace('.cpuprofile', '')} (${path.join(profileDir, file)}):`);
        printTable(topSelfTime(path.join(profileDir, file)));
      }
    }
  }
}

/** The load the sustained-lag target is stated for, and whether this run's sustained phase runs at it. */
const TARGET_LOAD = { leadsPerSecond: 1000, seconds: 30, destinations: 3 };
const atTargetLoad = SUSTAINED_RATE === TARGET_LOAD.leadsPerSecond && SUSTAINED_SECONDS === TARGET_LOAD.seconds && DESTINATIONS === TARGET_LOAD.destinations;
/**
 * The performance targets (README, Performance), each read off a scenario's figures; undefined
 * when this run did not measure it (no ceilings, or no sustained phase at the target's load).
 */
const TARGETS = [
  ['end to end ≥ 0.5 × raw pipeline', (r) => r['÷ raw pipeline'], (v) => v >= 0.5],
  ['ingest ≥ 2 000 leads/s at 50 concurrent', (r) => (CONCURRENCY === 50 ? r['ingest leads/s'] : undefined), (v) => v >= 2000],
  ['ingest p99 ≤ 50 ms at 50 concurrent', (r) => (CONCURRENCY === 50 ? r['ingest p99 ms'] : undefined), (v) => v <= 50],
  ['sustained 1 000 leads/s × 3 for 30 s: lag p99 < 1 s', (r) => (atTargetLoad ? r['sustained lag p99 ms'] : undefined), (v) => v < 1000],
  ['api RSS ≤ 150 MB after the run', (r) => r['api RSS MB'], (v) => v <= 150],
  ['worker RSS ≤ 150 MB after the run (the largest)', (r) => Math.max(...String(r['worker RSS MB']).split('/').map(Number)), (v) => v <= 150],
];

/** One line per target for a scenario: the figure, and whether it is met. */
function targetsOf(row) {
  return TARGETS.map(([target, read, met]) => {
    const value = read(row);
    const measured = value !== undefined && value !== '' && !Number.isNaN(Number(value));
    return { target, figure: measured ? value : 'not measured', met: measured ? (met(Number(value)) ? 'yes' : 'no') : '' };
  });
}

/**
 * What each throughput target leaves per delivery on this machine's cores, against what the run
 * spent: all processes, and the api, Redis and PostgreSQL alone (all but the workers). A target
 * whose allowance is below the latter cannot be met by making the worker cheaper. The bench's own
 * load and CRM are not counted, so the allowance is generous.
 */
function cpuBudgetOf(row, pipelineRate) {
  const cores = os.cpus().length;
  const spent = (prefix) => ({
    all: Number(row[`${prefix}CPU ms/delivery`]),
    stores: ['api ms', 'redis ms', 'pg ms'].reduce((t, k) => t + Number(row[prefix + k]), 0),
  });
  const line = (target, deliveriesPerSecond, { all, stores }) => ({
    target,
    'deliveries/s it needs': Math.round(deliveriesPerSecond),
    [`CPU ms/delivery it allows on ${cores} cores`]: ((cores * 1000) / deliveriesPerSecond).toFixed(3),
    'spent: all processes': all.toFixed(3),
    'spent: api + Redis + PostgreSQL': stores.toFixed(3),
  });
  const lines = [];
  if (pipelineRate) lines.push(line('end to end ≥ 0.5 × raw pipeline (burst)', 0.5 * pipelineRate, spent('')));
  const measuredSustained = row['sustained CPU ms/delivery'] !== undefined;
  lines.push(
    line(
      `sustained 1 000 leads/s × 3 (${measuredSustained ? 'sustained' : 'burst'})`,
      TARGET_LOAD.leadsPerSecond * TARGET_LOAD.destinations,
      spent(measuredSustained ? 'sustained ' : ''),
    ),
  );
  return lines;
}

/** CPU-ms per delivery of one process kind (api, workers, redis, postgres) between two readings of `cpu()`. */
const perDeliveryOf = (before, after, deliveries) => (kind) => ((after[kind] - before[kind]) * 1000) / deliveries;

/** CPU per delivery of the whole system: the api, the workers, Redis and PostgreSQL. */
const allProcesses = (perDelivery) => perDelivery('api') + perDelivery('workers') + perDelivery('redis') + perDelivery('postgres');

/** Paced ingest at SUSTAINED_RATE leads/s for SUSTAINED_SECONDS; the lag of those leads' deliveries. */
async function sustained(call, apiKey, crm, postedAt, lags, cpu) {
  const first = 1_000_000;
  const total = SUSTAINED_RATE * SUSTAINED_SECONDS;
  const expected = crm.received() + total * DESTINATIONS;
  const lagStart = lags.length;
  const latencies = [];
  const pending = [];
  const cpu0 = await cpu();
  const started = performance.now();
  let sent = 0;
  let failed = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * SUSTAINED_RATE));
    for (; sent < due; sent++) {
      const i = first + sent;
      const t0 = performance.now();
      postedAt.set(i, t0);
      pending.push(
        call('POST', '/v1/leads', apiKey, {
          data: { email: `lead${i}@example.com`, firstName: 'Ada', lastName: `Lovelace ${i}`, company: 'Analytical Engines', message: 'x'.repeat(600) },
          source: 'bench',
          externalId: `s-${i}`,
        }).then(
          (res) => (res.status === 202 ? latencies.push(performance.now() - t0) : (failed += 1)),
          () => (failed += 1),
        ),
      );
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  await Promise.all(pending);
  const ingestSeconds = (performance.now() - started) / 1000;
  const deadline = performance.now() + 120_000;
  while (crm.received() < expected - failed * DESTINATIONS && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const sustainedLags = lags.slice(lagStart).sort((a, b) => a - b);
  latencies.sort((a, b) => a - b);
  const deliveries = total * DESTINATIONS;
  const cpu1 = await cpu();
  const perDelivery = perDeliveryOf(cpu0, cpu1, deliveries);
  return {
    'sustained leads/s': Math.round(total / ingestSeconds),
    'sustained failed': failed,
    'sustained ingest p99 ms': Math.round(percentile(latencies, 99)),
    'sustained lag p50 ms': Math.round(percentile(sustainedLags, 50)),
    'sustained lag p99 ms': Math.round(percentile(sustainedLags, 99)),
    'sustained api CPU ms/lead': (((cpu1.api - cpu0.api) * 1000) / total).toFixed(3),
    'sustained worker CPU ms/delivery': perDelivery('workers').toFixed(3),
    'sustained CPU ms/delivery': allProcesses(perDelivery).toFixed(3),
    'sustained api ms': perDelivery('api').toFixed(3),
    'sustained redis ms': perDelivery('redis').toFixed(3),
    'sustained pg ms': perDelivery('postgres').toFixed(3),
  };
}

/**
 * Another account's ingest p99 while one account's flow matches `\\d*\\d*\\d*x` against
 * 800-digit leads (exponential for a backtracking engine), against a baseline of the same size
 * in the same run. The target: under 100 ms.
 */
async function regexIsolation(call, bystanderKey) {
  const hostile = (await call('POST', '/v1/accounts', ADMIN_TOKEN, { name: 'bench hostile' })).body;
  const flow = await call('POST', '/v1/flows', hostile.apiKey, {
    name: 'digits',
    when: { field: 'data.n', op: 'matches', value: '\\d*\\d*\\d*x' },
    actions: [{ type: 'webhook', url: 'http://127.0.0.1:9/hook' }],
  });
  if (flow.status !== 201) throw new Error(`flow creation answered ${flow.status}: ${JSON.stringify(flow.body)}`);
  const p99Of = async (label) => {
    const latencies = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        while (next < 500) {
          const i = next++;
          const t0 = performance.now();
          const res = await call('POST', '/v1/leads', bystanderKey, { data: { email: `${label}${i}@example.com` } });
          if (res.status !== 202) throw new Error(`ingest answered ${res.status}`);
          latencies.push(performance.now() - t0);
        }
      }),
    );
    return percentile(
      latencies.sort((a, b) => a - b),
      99,
    );
  };
  const baseline = await p99Of('calm');
  let attacking = true;
  let hostileLeads = 0;
  const attack = Promise.all(
    Array.from({ length: 2 }, async () => {
      while (attacking) {
        await call('POST', '/v1/leads', hostile.apiKey, { data: { n: '1'.repeat(800) } });
        hostileLeads += 1;
      }
    }),
  );
  const underAttack = await p99Of('attacked');
  attacking = false;
  await attack;
  return {
    'isolation baseline p99 ms': Math.round(baseline),
    'isolation attacked p99 ms': Math.round(underAttack),
    'isolation hostile leads': hostileLeads,
    'isolation p99 / 100 ms': (underAttack / 100).toFixed(2),
  };
}

async function main() {
  const workerCounts = option('workers', '1')
    .split(',')
    .map((n) => Number(n));
  if (workerCounts.some((n) => !Number.isInteger(n) || n < 1)) throw new Error('--workers takes a comma-separated list of positive integers, e.g. 1,2,4');
  const clusterWorkers = Number(option('cluster-workers', process.argv.includes('--workers') ? '2' : '0'));
  console.log(
    `${LEADS} leads × ${DESTINATIONS} destinations at ${CONCURRENCY} concurrent POSTs; ${os.cpus().length} cores (${os.cpus()[0].model}), ${new Date().toISOString()}`,
  );
  const rows = [];
  for (const [i, workers] of workerCounts.entries()) {
    rows.push(
      await runScenario({
        label: 'redis, 1 shard',
        workers,
        redisEnv: { REDIS_URL },
        redisNodes: [REDIS_URL],
        flushUrl: REDIS_URL,
        isolation: i === 0 && !process.argv.includes('--no-isolation'),
      }),
    );
    console.error(`done: ${workers} worker(s) on one Redis`);
  }
  if (clusterWorkers > 0) {
    const { startRedisCluster } = require('@crm-push/testing');
    for (const shards of [1, 3]) {
      const cluster = await startRedisCluster();
      try {
        const redisEnv = { REDIS_CLUSTER_NODES: cluster.seeds, QUEUE_SHARDS: String(shards) };
        rows.push(
          await runScenario({
            label: `cluster, ${shards} shard${shards > 1 ? 's' : ''}`,
            workers: clusterWorkers,
            redisEnv,
            redisNodes: cluster.nodes.map((n) => `redis://${n}`),
          }),
        );
      } finally {
        await cluster.stop();
      }
      console.error(`done: cluster with ${shards} shard(s)`);
    }
  }
  let pipelineRate;
  if (!process.argv.includes('--no-ceilings')) {
    await resetStores(REDIS_URL);
    const sink = await startCrm(new Map(), []);
    const noop = await ceiling('noop', REDIS_URL, CEILING_JOBS * 2);
    const pipeline = await ceiling('pipeline', REDIS_URL, CEILING_JOBS, `http://127.0.0.1:${sink.port}/leads/raw`);
    sink.server.close();
    console.log(
      `\nceilings (same run): raw BullMQ no-op ${Math.round(noop.rate)} jobs/s (${noop.cpuMs.toFixed(3)} CPU ms/job); ` +
        `raw pipeline ${Math.round(pipeline.rate)} jobs/s (${pipeline.cpuMs.toFixed(3)} CPU ms/job)`,
    );
    for (const row of rows) {
      row['÷ raw BullMQ'] = (row['deliveries/s'] / noop.rate).toFixed(3);
      row['÷ raw pipeline'] = (row['deliveries/s'] / pipeline.rate).toFixed(3);
    }
    pipelineRate = pipeline.rate;
  }
  console.log('');
  printTable(rows);
  // Also printed transposed: the rows are wide.
  for (const row of rows) {
    console.log(`\n${row.scenario}, ${row.workers} worker(s):`);
    for (const [k, v] of Object.entries(row)) console.log(`  ${k.padEnd(34)} ${v}`);
  }
  console.log(`\nTargets, ${rows[0].scenario}, ${rows[0].workers} worker(s):`);
  printTable(targetsOf(rows[0]));
  console.log(`\nCPU per delivery the throughput targets allow, ${rows[0].scenario}:`);
  printTable(cpuBudgetOf(rows[0], pipelineRate));
}

// `--lanes`: the flow-control scenarios of scripts/bench-lanes.js instead of the throughput phase;
// `--backlog`: push-pending of a large import (scripts/bench-backlog.js); `--frameworks`: the HTTP
// framework's share of a lead (scripts/bench-frameworks.js).
const PHASES = { '--lanes': './bench-lanes', '--backlog': './bench-backlog', '--frameworks': './bench-frameworks' };
const chosen = Object.keys(PHASES).find((flag) => process.argv.includes(flag));
const phase = chosen ? require(PHASES[chosen]).main : main;
phase().catch((err) => {
  console.error(`bench failed: ${err.message}`);
  process.exit(1);
});
