#!/usr/bin/env node
// The bench's ceilings, run as their own process so they cost what the project's worker would:
//   node scripts/bench-ceiling.js noop <redisUrl> <jobs>
//   node scripts/bench-ceiling.js pipeline <redisUrl> <jobs> <sinkUrl>
// `noop`: BullMQ Worker (concurrency 50) completing no-op jobs. `pipeline`: the same worker POSTing
// each job's ~1 KB body to the sink with undici over keep-alive, no database. Both pre-fill the queue,
// then time the worker draining it, and print one JSON line: { jobs, seconds, rate, cpuMs }.
const { Queue, Worker } = require('bullmq');
const { Redis } = require('ioredis');
const { request, Agent } = require('undici');

async function main() {
  const [mode, redisUrl, jobsArg, sinkUrl] = process.argv.slice(2);
  const jobs = Number(jobsArg);
  const connection = () => new Redis(redisUrl, { maxRetriesPerRequest: null });
  const name = `bench-ceiling-${mode}-${process.pid}`;
  const queue = new Queue(name, { connection: connection() });
  const body = JSON.stringify({ email: 'lead@example.com', firstName: 'Ada', lastName: 'Lovelace', message: 'x'.repeat(900) });
  for (let i = 0; i < jobs; i += 1000) {
    await queue.addBulk(
      Array.from({ length: Math.min(1000, jobs - i) }, (_, k) => ({
        name: 'job',
        data: { n: i + k, body },
        opts: { removeOnComplete: true, removeOnFail: true },
      })),
    );
  }
  const agent = new Agent({ connections: 50, keepAliveTimeout: 30000 });
  let done = 0;
  let finish;
  const finished = new Promise((r) => (finish = r));
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  const processor =
    mode === 'pipeline'
      ? async (job) => {
          const res = await request(sinkUrl, { method: 'POST', dispatcher: agent, headers: { 'content-type': 'application/json' }, body: job.data.body });
          await res.body.text();
          if (res.statusCode >= 300) throw new Error(`sink answered ${res.statusCode}`);
        }
      : async () => undefined;
  const worker = new Worker(name, processor, { connection: connection(), concurrency: 50 });
  worker.on('completed', () => {
    done += 1;
    if (done === jobs) finish();
  });
  await finished;
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  await agent.close();
  console.log(JSON.stringify({ jobs, seconds, rate: jobs / seconds, cpuMs: (cpu.user + cpu.system) / 1000 / jobs }));
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
