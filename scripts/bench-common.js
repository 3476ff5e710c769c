// Helpers every bench script shares: stores, the process stack, tables.
const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { request, Agent } = require('undici');
const { PROCESS_NODE_FLAGS } = require('@crm-push/config');

const DB_URL = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/crm_push_bench';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/15';
const ADMIN_TOKEN = 'bench-admin-token-0123456789';
const root = path.resolve(__dirname, '..');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function percentile(sorted, p) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;
}

function freePort() {
  return new Promise((resolve) => {
    const s = http.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** The value after `--name` on the command line, or `fallback`. */
function option(name, fallback) {
  const value = process.argv[process.argv.indexOf(`--${name}`) + 1];
  return process.argv.includes(`--${name}`) && value !== undefined && !value.startsWith('--') ? value : fallback;
}

/**
 * Drops and recreates the bench's database, and flushes `redisUrl` (the bench's own Redis
 * database, BENCH_REDIS_URL, unless another is given; none for a throwaway cluster).
 */
async function resetStores(redisUrl = REDIS_URL) {
  const { Client } = require('pg');
  const url = new URL(DB_URL);
  const name = url.pathname.slice(1);
  url.pathname = '/postgres';
  const admin = new Client({ connectionString: url.toString() });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
  await require('@crm-push/db').prepareDatabase(DB_URL);
  if (!redisUrl) return;
  const { Redis } = require('ioredis');
  const redis = new Redis(redisUrl);
  await redis.flushdb();
  redis.disconnect();
}

/**
 * Spawns the api and `workers` worker processes from their builds, with the production flags then
 * BENCH_NODE_ARGS (a later V8 flag wins, so it can override them) and `roleArgs(role)`. The bench
 * fails if one exits before `stopping()` is called.
 */
function spawnProcesses({ env, workers, roleArgs = () => [], cwd = root }) {
  const nodeArgs = [...PROCESS_NODE_FLAGS, ...(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean)];
  const spawnEntry = (entry, role) =>
    spawn(process.execPath, [...nodeArgs, ...roleArgs(role), path.join(root, entry)], { env, cwd, stdio: ['ignore', 'ignore', 'inherit'] });
  const children = [
    spawnEntry('apps/api/dist/main.js', 'api'),
    ...Array.from({ length: workers }, (_, w) => spawnEntry('apps/worker/dist/main.js', `worker${w + 1}`)),
  ];
  let stopping = false;
  for (const child of children) {
    child.once('exit', (code) => {
      if (!stopping) {
        console.error(`bench failed: a process exited early (code ${code})`);
        // The others would go on taking the bench queue's jobs after the bench is gone.
        for (const other of children) other.kill('SIGKILL');
        process.exit(1);
      }
    });
  }
  return { children, stopping: () => (stopping = true) };
}

/** A keep-alive client of the api at `base`: `call(method, path, key, body)`, and `healthy()`, which waits for /health. */
function apiClient(base, connections) {
  const agent = new Agent({ connections, keepAliveTimeout: 30000 });
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
  const healthy = async () => {
    for (let i = 0; ; i++) {
      try {
        if ((await request(`${base}/health`, { dispatcher: agent })).statusCode === 200) return;
      } catch {
        if (i > 100) throw new Error('api did not start');
        await sleep(100);
      }
    }
  };
  return { agent, call, healthy };
}

/** The api and `workers` worker processes on fresh stores; `call` speaks to the api (at `base`, process `apiPid`). */
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
  const { children, stopping } = spawnProcesses({ env, workers });
  const { agent, call, healthy } = apiClient(`http://127.0.0.1:${port}`, 50);
  await healthy();
  const { Client } = require('pg');
  const pg = new Client({ connectionString: DB_URL });
  await pg.connect();
  const stop = async () => {
    stopping();
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
  return { call, pg, stop, account, destination, base: `http://127.0.0.1:${port}`, apiPid: children[0].pid };
}

/** Resident set size of a process in MB, from /proc/<pid>/status. */
function rssMb(pid) {
  try {
    const kb = Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
    return Math.round(kb / 1024);
  } catch {
    return NaN;
  }
}

/** CPU seconds (user + system) a process and, optionally, its direct children, live or ended, have used. */
function cpuSeconds(pid, withChildren = false) {
  const ticks = 100; // USER_HZ on Linux
  const read = (p) => {
    try {
      const fields = fs.readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1].split(' ');
      return { ppid: Number(fields[1]), cpu: (Number(fields[11]) + Number(fields[12])) / ticks, reaped: (Number(fields[13]) + Number(fields[14])) / ticks };
    } catch {
      return { ppid: -1, cpu: 0, reaped: 0 };
    }
  };
  // With children: the live ones, and those already gone (a pool closing an idle connection ends
  // its PostgreSQL backend), whose time the parent has collected.
  const self = read(pid);
  let total = self.cpu + (withChildren ? self.reaped : 0);
  if (withChildren) {
    for (const entry of fs.readdirSync('/proc')) if (/^\d+$/.test(entry) && read(entry).ppid === pid) total += read(entry).cpu;
  }
  return total;
}

/** The PostgreSQL postmaster's pid (its backends are its children), from the server's data directory. */
async function postmasterPid() {
  const { Client } = require('pg');
  const client = new Client({ connectionString: DB_URL });
  await client.connect();
  const dir = (await client.query('SHOW data_directory')).rows[0].data_directory;
  await client.end();
  try {
    return Number(fs.readFileSync(`${dir}/postmaster.pid`, 'utf8').split('\n')[0]);
  } catch {
    return undefined;
  }
}

/** The lead the throughput phase POSTs (~1 KB of JSON), numbered; bench-frameworks sends the same. */
const benchLead = (i) => ({
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

/** A destination's deliveries by status, e.g. { succeeded: 998, failed: 2 }. */
async function statusesOf(stack, destinationId) {
  const { rows } = await stack.pg.query(`SELECT status, count(*)::int AS n FROM deliveries WHERE destination_id = $1 GROUP BY status`, [destinationId]);
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

/** A markdown table of `rows`, numbers right-aligned; keys missing from a row print empty. */
function printTable(rows) {
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (r, k) => String(r[k] ?? '');
  const width = (k) => Math.max(k.length, ...rows.map((r) => cell(r, k).length));
  const line = (cells) => `| ${cells.join(' | ')} |`;
  console.log(line(keys.map((k) => k.padEnd(width(k)))));
  console.log(line(keys.map((k) => '-'.repeat(width(k)))));
  for (const r of rows) console.log(line(keys.map((k) => cell(r, k).padStart(width(k)))));
}

module.exports = {
  resetStores,
  benchLead,
  cpuSeconds,
  postmasterPid,
  rssMb,
  DB_URL,
  REDIS_URL,
  ADMIN_TOKEN,
  apiClient,
  percentile,
  freePort,
  option,
  sleep,
  spawnProcesses,
  startStack,
  statusesOf,
  printTable,
};
