import { type OwnRedis, parsePrometheusText, sampleValue, startOwnRedis } from '@crm-push/testing';
import { startSystem, type TestSystem } from './test-support/system';

describe("Redis's maxmemory-policy", () => {
  let redis: OwnRedis;
  let system: TestSystem;

  beforeAll(async () => {
    // A redis-server of this test's own: the policy is switched at run time, as an operator might.
    redis = await startOwnRedis();
    system = await startSystem({ workers: false, env: { REDIS_URL: redis.url } });
  });
  afterAll(async () => {
    await system?.stop();
    await redis?.stop();
  });

  async function evicting(policy: string) {
    const text = (await system.call('GET', '/metrics')).body as string;
    return sampleValue(parsePrometheusText(text), 'crm_push_redis_evicting', { policy });
  }

  it('is reported by /ready and a metric once switched to an evicting policy at run time', async () => {
    const calm = await system.call('GET', '/ready');
    expect(calm.status).toBe(200);
    expect(calm.body.checks.redis).toEqual({ status: 'up', maxmemoryPolicy: 'noeviction' });
    expect(await evicting('noeviction')).toBe(0);

    await redis.client.config('SET', 'maxmemory-policy', 'allkeys-lru');
    const warned = await system.call('GET', '/ready');
    expect(warned.status).toBe(200);
    expect(warned.body.checks.redis).toEqual({ status: 'up', maxmemoryPolicy: 'allkeys-lru', warning: expect.stringMatching(/allkeys-lru.*noeviction/) });
    expect(await evicting('allkeys-lru')).toBe(1);
    expect(await evicting('noeviction')).toBeUndefined();

    await redis.client.config('SET', 'maxmemory-policy', 'noeviction');
    expect((await system.call('GET', '/ready')).body.checks.redis.warning).toBeUndefined();
  });
});
