import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { waitFor } from '../wait-for';
import { startChildServer, type ChildServer } from './child-server';
import { isFree } from './free-port';

const run = promisify(execFile);

export interface LocalRedisCluster {
  /** `host:port` of every master, as REDIS_CLUSTER_NODES takes them. */
  nodes: string[];
  /** REDIS_CLUSTER_NODES. */
  seeds: string;
  /** The master (`host:port`) serving a key's slot, from CLUSTER KEYSLOT and CLUSTER SLOTS. */
  masterOf(key: string): Promise<string>;
  /** FLUSHALL on every master: the cluster loses every job. */
  flushAll(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A local Redis Cluster of `masters` masters (no replicas) from the installed redis-server, on
 * free ports, keeping nothing on disk beyond its node files in a temporary folder that
 * `stop()` removes with the servers.
 */
export async function startRedisCluster(opts: { masters?: number } = {}): Promise<LocalRedisCluster> {
  const masters = opts.masters ?? 3;
  const dir = await mkdtemp(path.join(tmpdir(), 'crm-push-cluster-'));
  const ports = await clusterPorts(masters);
  const servers: ChildServer[] = [];
  const stop = async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    for (const port of ports) servers.push(startChildServer('redis-server', redisArgs(port, dir)));
    await Promise.all(ports.map((port) => waitFor(`redis-server on ${port}`, () => ping(port), { timeoutMs: 10_000, intervalMs: 50 })));
    const nodes = ports.map((p) => `127.0.0.1:${p}`);
    await run('redis-cli', ['--cluster', 'create', ...nodes, '--cluster-replicas', '0', '--cluster-yes']);
    await waitFor('the cluster to be ok on every node', async () => ((await Promise.all(ports.map(clusterOk))).every(Boolean) ? true : undefined), {
      timeoutMs: 15_000,
      intervalMs: 100,
    });
    return { nodes, seeds: nodes.join(','), masterOf: (key) => masterOf(ports[0], key), flushAll: () => flushAll(ports), stop };
  } catch (err) {
    const logs = servers.map((s) => s.output()).join('\n');
    await stop();
    throw new Error(`${(err as Error).message}\n${logs}`);
  }
}

function redisArgs(port: number, dir: string): string[] {
  return [
    ...['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    ...['--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--cluster-node-timeout', '5000'],
    // A job queue must never lose keys to eviction.
    ...['--maxmemory-policy', 'noeviction'],
  ];
}

/** Free ports whose cluster bus port (port + 10000) is free too. */
async function clusterPorts(n: number): Promise<number[]> {
  const ports: number[] = [];
  for (let tries = 0; ports.length < n && tries < 200; tries++) {
    const port = 20000 + Math.floor(Math.random() * 30000);
    if (!ports.includes(port) && (await isFree(port)) && (await isFree(port + 10000))) ports.push(port);
  }
  if (ports.length < n) throw new Error('no free ports for a Redis Cluster');
  return ports;
}

async function withNode<T>(port: number, fn: (r: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return await fn(redis);
  } finally {
    redis.disconnect();
  }
}

const ping = (port: number) => withNode(port, (r) => r.ping()).catch(() => undefined);

async function clusterOk(port: number): Promise<boolean> {
  const info = await withNode(port, (r) => r.cluster('INFO'));
  return String(info).includes('cluster_state:ok');
}

async function masterOf(port: number, key: string): Promise<string> {
  return withNode(port, async (r) => {
    const slot = Number(await r.cluster('KEYSLOT', key));
    const ranges = await r.cluster('SLOTS');
    const range = ranges.find(([from, to]) => slot >= from && slot <= to);
    if (!range) throw new Error(`no master serves slot ${slot}`);
    return `${range[2][0]}:${range[2][1]}`;
  });
}

async function flushAll(ports: number[]): Promise<void> {
  await Promise.all(ports.map((port) => withNode(port, (r) => r.flushall())));
}
