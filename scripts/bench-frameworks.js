#!/usr/bin/env node
// `npm run bench -- --frameworks`: is the HTTP framework what a lead costs the api? The same
// request the throughput phase sends (POST /v1/leads, ~1 KB of JSON, a bearer key) against:
//   - node:http, Express and fastify servers that each parse the body with their own JSON parser,
//     validate it with the api's own lead schema and answer 202 with a lead-shaped body: the
//     framework's floor, nothing stored;
//   - the api itself, alone (no worker competing): the lead and its 3 deliveries stored, their
//     jobs enqueued.
// Each server runs as its own process with the api's node flags; CPU-ms per request comes from
// /proc/<pid>/stat over the measured requests (after a warm-up), and is printed as a ratio of
// node:http's; for the api, PostgreSQL's CPU per lead too. `BENCH_FRAMEWORK_REQUESTS` (20 000) per framework, `BENCH_LEADS` (3 000) for the api.
// Run by itself as `node scripts/bench-frameworks.js serve <framework>`, it is one such server.
const { spawn } = require('node:child_process');
const { PROCESS_NODE_FLAGS } = require('@crm-push/config');
const { apiClient, benchLead, cpuSeconds, percentile, postmasterPid, printTable, rssMb, startStack } = require('./bench-common');

const REQUESTS = Number(process.env.BENCH_FRAMEWORK_REQUESTS ?? 20000);
const API_LEADS = Number(process.env.BENCH_LEADS ?? 3000);
const WARM_UP = 2000;
const CONCURRENCY = 50;
const DESTINATIONS = 3;

/** What a server answers once it has validated the lead: the api's 202 body, nothing stored. */
function accepted(body) {
  const parsed = leadInputSchema.safeParse(body);
  if (!parsed.success) return { status: 400, body: { error: { code: 'VALIDATION_FAILED', message: parsed.error.message } } };
  const id = `lead-${parsed.data.externalId}`;
  return {
    status: 202,
    body: {
      id,
      status: 'pending',
      deliveries: Array.from({ length: DESTINATIONS }, (_, d) => ({ id: `${id}-${d}`, destinationId: `d${d}`, status: 'queued' })),
    },
  };
}

const SERVERS = {
  'node:http': () => {
    const server = require('node:http').createServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const out = req.method === 'POST' && req.url === '/v1/leads' ? accepted(JSON.parse(Buffer.concat(chunks).toString('utf8'))) : { status: 404, body: {} };
        const text = JSON.stringify(out.body);
        res.writeHead(out.status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
        res.end(text);
      });
    });
    return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
  },
  express: () => {
    const express = require('express');
    const app = express();
    app.use(express.json({ limit: '256kb', strict: true }));
    app.post('/v1/leads', (req, res) => {
      const out = accepted(req.body);
      res.status(out.status).json(out.body);
    });
    return new Promise((resolve) => {
      const server = app.listen(0, '127.0.0.1', () => resolve(server.address().port));
    });
  },
  fastify: async () => {
    const app = require('fastify')({ logger: false, bodyLimit: 256 * 1024 });
    app.post('/v1/leads', async (req, reply) => {
      const out = accepted(req.body);
      return reply.code(out.status).send(out.body);
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    return app.server.address().port;
  },
};

/** `count` POSTs of the bench lead at 50 concurrent, numbered from `from`; the latencies, sorted. */
async function fire(base, key, from, count) {
  const { agent, call } = apiClient(base, CONCURRENCY);
  const latencies = [];
  let next = from;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < from + count) {
        const i = next++;
        const t0 = performance.now();
        const res = await call('POST', '/v1/leads', key, benchLead(i));
        if (res.status !== 202) throw new Error(`POST /v1/leads answered ${res.status}`);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  await agent.close();
  return latencies.sort((a, b) => a - b);
}

/**
 * Warms the server at `base` up, then measures `count` requests against its process `pid`, and
 * against PostgreSQL's (`postgresPid`, with its backends) when the server stores what it gets.
 */
async function measure(label, { pid, postgresPid }, base, key, count) {
  await fire(base, key, 0, WARM_UP);
  const cpu = () => ({ server: cpuSeconds(pid), postgres: postgresPid ? cpuSeconds(postgresPid, true) : NaN });
  const cpu0 = cpu();
  const started = performance.now();
  const latencies = await fire(base, key, WARM_UP, count);
  const seconds = (performance.now() - started) / 1000;
  const cpu1 = cpu();
  const perRequest = (kind) => (((cpu1[kind] - cpu0[kind]) * 1000) / count).toFixed(3);
  return {
    server: label,
    'requests/s': Math.round(count / seconds),
    'p50 ms': percentile(latencies, 50).toFixed(1),
    'p99 ms': percentile(latencies, 99).toFixed(1),
    'CPU ms/request': perRequest('server'),
    'PostgreSQL CPU ms/request': postgresPid ? perRequest('postgres') : '',
    'RSS MB': rssMb(pid),
  };
}

function startServer(framework) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...PROCESS_NODE_FLAGS, __filename, 'serve', framework], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.once('data', (c) => resolve({ child, port: Number(String(c).trim()) }));
    child.once('exit', (code) => reject(new Error(`${framework} server exited ${code}`)));
  });
}

async function main() {
  const rows = [];
  for (const framework of Object.keys(SERVERS)) {
    const { child, port } = await startServer(framework);
    rows.push(await measure(`${framework}: parse, validate, answer`, { pid: child.pid }, `http://127.0.0.1:${port}`, 'bench-key', REQUESTS));
    child.removeAllListeners('exit');
    child.kill('SIGKILL');
  }
  // As in the throughput phase: the lead's cost without the per-account limiter.
  process.env.RATE_LIMIT_PER_MINUTE ??= '0';
  const stack = await startStack(0);
  try {
    const key = await stack.account('bench');
    for (let d = 0; d < DESTINATIONS; d++) await stack.destination(key, { type: 'custom', config: { url: `http://127.0.0.1:9/leads/${d}` } });
    rows.push(
      await measure(
        `the api (Express): lead and ${DESTINATIONS} deliveries stored, jobs enqueued`,
        { pid: stack.apiPid, postgresPid: await postmasterPid() },
        stack.base,
        key,
        API_LEADS,
      ),
    );
  } finally {
    await stack.stop();
  }
  const floor = Number(rows[0]['CPU ms/request']);
  for (const row of rows) row['÷ node:http CPU'] = (Number(row['CPU ms/request']) / floor).toFixed(2);
  console.log(`\nThe framework's share of a lead: ${CONCURRENCY} concurrent POST /v1/leads, no worker running\n`);
  printTable(rows);
}

/** The api's own lead schema; loaded by a server process only. */
let leadInputSchema;

async function serve(framework) {
  ({ leadInputSchema } = require('../apps/api/dist/routes/leads'));
  const port = await SERVERS[framework]();
  process.stdout.write(`${port}\n`);
}

module.exports = { main };

if (require.main === module && process.argv[2] === 'serve') {
  serve(process.argv[3]).catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
