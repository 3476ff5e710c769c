import { Redis } from 'ioredis';

const BASE = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * A Redis database index of this jest worker's own (jest runs one file at a time per worker),
 * flushed on open and on close so no job leaks between test files.
 */
export async function openTestRedis(): Promise<{ url: string; flush(): Promise<void>; close(): Promise<void> }> {
  const index = 1 + (Number(process.env.JEST_WORKER_ID ?? 1) % 15);
  const url = `${BASE}/${index}`;
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  await client.flushdb();
  return {
    url,
    flush: async () => void (await client.flushdb()),
    close: async () => {
      await client.flushdb();
      client.disconnect();
    },
  };
}
