import { Redis } from 'ioredis';

const BASE = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Indexes 1..14 are for tests; 0 is the service's default and 15 the benchmark's. */
const FIRST = 1;
const LAST = 14;
const LEASE_MS = 10 * 60 * 1000;

/**
 * A Redis database index of this test file's own, flushed on open and on close so no job leaks
 * between files. The index is leased with SET NX in db 0, so parallel jest workers — and parallel
 * jest runs on one machine — never share (and flush) one another's database.
 */
export async function openTestRedis(): Promise<{ url: string; flush(): Promise<void>; close(): Promise<void> }> {
  const registry = new Redis(`${BASE}/0`, { maxRetriesPerRequest: 1 });
  const owner = `${process.pid}:${Math.random().toString(36).slice(2)}`;
  const index = await lease(registry, owner);
  const url = `${BASE}/${index}`;
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  await client.flushdb();
  return {
    url,
    flush: async () => void (await client.flushdb()),
    close: async () => {
      await client.flushdb();
      client.disconnect();
      // Release only our own lease.
      if ((await registry.get(leaseKey(index))) === owner) await registry.del(leaseKey(index));
      registry.disconnect();
    },
  };
}

function leaseKey(index: number): string {
  return `crm-push:test-redis-lease:${index}`;
}

async function lease(registry: Redis, owner: string): Promise<number> {
  const start = Number(process.env.JEST_WORKER_ID ?? 1);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    for (let i = 0; i <= LAST - FIRST; i++) {
      const index = FIRST + ((start + i) % (LAST - FIRST + 1));
      if (await registry.set(leaseKey(index), owner, 'PX', LEASE_MS, 'NX')) return index;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  registry.disconnect();
  throw new Error('no free Redis test database: 14 are leased by running tests');
}
