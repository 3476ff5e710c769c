import { QueueLayout } from '@crm-push/queue';
import {
  allLeadsSettled,
  type Child,
  createCustomSink,
  type LocalPgBouncer,
  type LocalRedisCluster,
  parsePrometheusText,
  type StackOptions,
  startPgBouncer,
  startRedisCluster,
  startStack,
} from '@crm-push/testing';
import { Cluster } from 'ioredis';

const DESTINATIONS = 6;

/**
 * The whole path on the topology users scale out to: ingest → delivery → a Redis flush the sweep
 * recovers from, with real api and worker processes. With `spreadOver`, destinations are added
 * beyond DESTINATIONS until they fall in more than one of its shards (six random ids all land in
 * one of three shards once in 243 runs).
 */
async function startFlow(opts: StackOptions, spreadOver?: QueueLayout) {
  const sink = createCustomSink();
  await sink.start();
  const stack = await startStack(opts);
  const api = await stack.startApi();
  const apiKey = (await api.createAccount()).apiKey;
  const destinationIds: string[] = [];
  // A timeout far above any answer of the sink: on a loaded machine a 10 s timeout can expire on a
  // stalled test process and be retried, a second call that is not what these tests count.
  const destination = { name: 'sink', type: 'custom', config: { url: `${sink.url}/leads`, timeoutMs: 60_000 } };
  const shardsUsed = () => new Set(destinationIds.map((id) => spreadOver?.shardOf(id))).size;
  while (destinationIds.length < DESTINATIONS || (spreadOver && shardsUsed() < 2)) destinationIds.push(await api.addDestination(apiKey, destination));
  return { sink, stack, api, apiKey, destinationIds };
}
type Flow = Awaited<ReturnType<typeof startFlow>>;

async function postLeads({ api, apiKey, destinationIds }: Flow, prefix: string, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const res = await api.call('POST', '/v1/leads', { key: apiKey, body: { data: { email: `${prefix}-${i}@example.com`, lastName: 'L' } } });
    expect(res.status).toBe(202);
    expect(res.body.deliveries).toHaveLength(destinationIds.length);
    ids.push(res.body.id);
  }
  return ids;
}

/** Every delivery of these leads succeeded, each with exactly one call. */
async function expectDeliveredOnce({ stack, sink, destinationIds }: Flow, ids: string[]) {
  const deliveries = await stack.database.db.delivery.findMany({ where: { leadId: { in: ids } }, select: { id: true, status: true } });
  expect(deliveries).toHaveLength(ids.length * destinationIds.length);
  expect(deliveries.filter((d) => d.status !== 'succeeded')).toEqual([]);
  const keys = new Set(deliveries.map((d) => d.id));
  const calls = sink.received.filter((r) => r.idempotencyKey && keys.has(r.idempotencyKey));
  const callsOf = (id: string) => calls.filter((c) => c.idempotencyKey === id).length;
  const repeated = deliveries.filter((d) => callsOf(d.id) !== 1).map((d) => d.id);
  // On failure: which deliveries, and what their attempt rows say about each call.
  const attempts = await stack.database.db.attempt.findMany({
    where: { deliveryId: { in: repeated } },
    select: { deliveryId: true, startedAt: true, errorCode: true },
  });
  expect({ repeated, attempts }).toEqual({ repeated: [], attempts: [] });
  expect(calls).toHaveLength(deliveries.length);
}

async function ingestDeliverFlushRecover(flow: Flow, beforeWorker?: (leadIds: string[]) => Promise<void>) {
  const { stack } = flow;
  const first = await postLeads(flow, 'first', 10);
  await beforeWorker?.(first);
  let worker: Child = await stack.startWorker();
  await allLeadsSettled(stack.database, 'the first leads to settle');
  await expectDeliveredOnce(flow, first);

  // With no worker running, Redis loses every job; the sweep re-creates them from PostgreSQL.
  await worker.stop();
  const second = await postLeads(flow, 'second', 10);
  await stack.flushRedis();
  worker = await stack.startWorker();
  await allLeadsSettled(stack.database, 'the leads ingested before the flush to settle');
  await expectDeliveredOnce(flow, second);
  await worker.stop();
}

describe('on a 3-master Redis Cluster with QUEUE_SHARDS=3', () => {
  const layout = new QueueLayout({ prefix: 'crm-push', shards: 3, cluster: true });
  let cluster: LocalRedisCluster;
  let flow: Flow;

  beforeAll(async () => {
    cluster = await startRedisCluster();
    flow = await startFlow({ redis: { env: { REDIS_CLUSTER_NODES: cluster.seeds, QUEUE_SHARDS: '3' }, flush: () => cluster.flushAll() } }, layout);
  });
  afterAll(async () => {
    // stop() throws when a delivery breaks the invariant: the rest must still stop.
    try {
      await flow?.stack.stop();
    } finally {
      await flow?.sink.stop();
      await cluster?.stop();
    }
  });

  it('puts each shard on its own master and each destination in one shard, delivers, and recovers from a flush', async () => {
    const shards = layout.shardsOf('crm');
    const masters = await Promise.all(shards.map((s) => cluster.masterOf(`${s.prefix}:${s.name}:wait`)));
    expect(new Set(masters).size).toBe(3);

    const client = new Cluster(cluster.nodes.map((n) => ({ host: '127.0.0.1', port: Number(n.split(':')[1]) })));
    try {
      await ingestDeliverFlushRecover(flow, async (leadIds) => {
        // Before any worker runs: every job sits in its destination's shard, under that shard's tag.
        const deliveries = await flow.stack.database.db.delivery.findMany({ where: { leadId: { in: leadIds } }, select: { id: true, destinationId: true } });
        const used = new Set<number>();
        for (const d of deliveries) {
          const shard = shards[layout.shardOf(d.destinationId!)];
          used.add(shard.shard!);
          expect(await client.exists(`${shard.prefix}:${shard.name}:${d.id}`)).toBe(1);
        }
        expect(used.size).toBeGreaterThan(1);
        // The stack's invariant check finds these jobs where they are, on the cluster's shards.
        await flow.stack.expectNoBrokenDeliveries();
      });
    } finally {
      client.disconnect();
    }

    const ready = await flow.api.call('GET', '/ready');
    expect(ready).toMatchObject({ status: 200, body: { checks: { redis: { status: 'up' } } } });
    // Queue metrics show every shard.
    const text = await (await fetch(`${flow.api.url}/metrics`)).text();
    const family = parsePrometheusText(text).get('crm_push_queue_reachable');
    const reachable = family?.samples.filter((s) => s.value === 1).map((s) => s.labels.queue);
    expect(reachable).toEqual(expect.arrayContaining(['crm-deliveries-0', 'crm-deliveries-1', 'crm-deliveries-2', 'flow-actions-2', 'maintenance']));
  }, 120_000);
});

describe('through PgBouncer in transaction pooling mode', () => {
  let bouncer: LocalPgBouncer;
  let flow: Flow;

  beforeAll(async () => {
    bouncer = await startPgBouncer(process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres', { poolSize: 4 });
    flow = await startFlow({ databaseUrl: (direct) => bouncer.urlFor(direct) });
  });
  afterAll(async () => {
    // stop() throws when a delivery breaks the invariant: the rest must still stop.
    try {
      await flow?.stack.stop();
    } finally {
      await flow?.sink.stop();
      await bouncer?.stop();
    }
  });

  it('ingests, delivers, sweeps and recovers from a Redis flush with every query pooled per transaction', async () => {
    await ingestDeliverFlushRecover(flow);
    const database = new URL(flow.stack.database.url).pathname.slice(1);
    const pool = (await bouncer.pools()).find((p) => p.database === database);
    expect(pool).toMatchObject({ pool_mode: 'transaction' });
  }, 120_000);
});
