#!/usr/bin/env node
// `npm run bench`: the whole path under load, on this machine's PostgreSQL and Redis.
// Starts a local custom CRM (keep-alive HTTP), the api and one worker as real processes, creates an
// account with BENCH_DESTINATIONS custom destinations, POSTs BENCH_LEADS leads at BENCH_CONCURRENCY,
// and prints ingest throughput and latency, end-to-end delivery throughput and process memory.
const { spawn, execFileSync } = require('node:child_process');
const http = require('node:http');
const path = require('node:path');
const { request, Agent } = require('undici');

const LEADS = Number(process.env.BENCH_LEADS ?? 3000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const DESTINATIONS = Number(process.env.BENCH_DESTINATIONS ?? 3);
const DB_URL = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/crm_push_bench';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/15';
const ADMIN_TOKEN = 'bench-admin-token-0123456789';
const root = path.resolve(__dirname, '..');

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function startCrm() {
  let received = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received += 1;
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(`{"id":"r${received}"}`);
    });
  });
  server.keepAliveTimeout = 30000;
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: server.address().port, received: () => received })));
}

function freePort() {
  return new Promise((resolve) => {
    const s = http.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

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
  await redis.flushdb();
  redis.disconnect();
}

function rssMb(pid) {
  try {
    return Math.round(Number(execFileSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' }).trim()) / 1024);
  } catch {
    return NaN;
  }
}

async function main() {
  await resetStores();
  const crm = await startCrm();
  const port = await freePort();
  const env = {
    ...process.env,
    PORT: String(port),
    DATABASE_URL: DB_URL,
    REDIS_URL,
    ADMIN_TOKEN,
    ALLOW_PRIVATE_DESTINATIONS: 'true',
    LOG_LEVEL: 'warn',
    WORKER_CONCURRENCY: process.env.WORKER_CONCURRENCY ?? '50',
  };
  const children = ['apps/api/dist/main.js', 'apps/worker/dist/main.js'].map((entry) =>
    spawn(process.execPath, [...(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean), path.join(root, entry)], {
      env,
      stdio: ['ignore', 'ignore', 'inherit'],
    }),
  );
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
  const agent = new Agent({ connections: CONCURRENCY, keepAliveTimeout: 30000 });
  const call = async (method, p, key, body) => {
    const res = await request(base + p, {
      method,
      dispatcher: agent,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: body && JSON.stringify(body),
    });
    return { status: res.statusCode, body: await res.body.json() };
  };
  try {
    for (let i = 0; ; i++) {
      try {
        if ((await request(`${base}/health`, { dispatcher: agent })).statusCode === 200) break;
      } catch {
        if (i > 100) throw new Error('api did not start');
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const account = (await call('POST', '/v1/accounts', ADMIN_TOKEN, { name: 'bench' })).body;
    for (let d = 0; d < DESTINATIONS; d++) {
      await call('POST', '/v1/destinations', account.apiKey, { name: `crm ${d}`, type: 'custom', config: { url: `http://127.0.0.1:${crm.port}/leads/${d}` } });
    }
    // Warm-up, so the figures measure steady state rather than connection set-up and query compilation.
    for (let i = 0; i < 50; i++) await call('POST', '/v1/leads', account.apiKey, { data: { email: `warm${i}@example.com` } });
    while (crm.received() < 50 * DESTINATIONS) await new Promise((r) => setTimeout(r, 50));
    const deliveredBefore = crm.received();

    const latencies = [];
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < LEADS) {
          const i = next++;
          const t0 = performance.now();
          const res = await call('POST', '/v1/leads', account.apiKey, {
            data: {
              email: `lead${i}@example.com`,
              firstName: 'Ada',
              lastName: `Lovelace ${i}`,
              company: 'Analytical Engines',
              phone: '+44 20 7946 0000',
              message: 'x'.repeat(600),
            },
            source: 'bench',
            externalId: `b-${i}`,
          });
          if (res.status !== 202) throw new Error(`ingest answered ${res.status}: ${JSON.stringify(res.body)}`);
          latencies.push(performance.now() - t0);
        }
      }),
    );
    const ingestSeconds = (performance.now() - started) / 1000;
    const apiRss = rssMb(children[0].pid);
    const expected = deliveredBefore + LEADS * DESTINATIONS;
    let workerRss = 0;
    while (crm.received() < expected) {
      workerRss = Math.max(workerRss, rssMb(children[1].pid));
      await new Promise((r) => setTimeout(r, 50));
    }
    const totalSeconds = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    const figures = {
      leads: LEADS,
      destinations: DESTINATIONS,
      concurrency: CONCURRENCY,
      'ingest leads/s': Math.round(LEADS / ingestSeconds),
      'ingest p50 ms': Math.round(percentile(latencies, 50)),
      'ingest p99 ms': Math.round(percentile(latencies, 99)),
      'end-to-end leads/s': Math.round(LEADS / totalSeconds),
      'deliveries/s': Math.round((LEADS * DESTINATIONS) / totalSeconds),
      'api RSS MB': apiRss,
      'worker peak RSS MB': workerRss,
    };
    Object.assign(figures, await regexIsolation(call, account.apiKey));
    for (const [k, v] of Object.entries(figures)) console.log(`${k.padEnd(28)} ${v}`);
  } finally {
    stopping = true;
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r() : c.once('exit', r)))));
    crm.server.close();
    await agent.close();
  }
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

main().catch((err) => {
  console.error(`bench failed: ${err.message}`);
  process.exit(1);
});
