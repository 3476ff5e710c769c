import { startTcpProxy, type TcpProxy, TEST_PG_URL } from '@crm-push/testing';
import { startSystem, type TestSystem } from './test-support/system';

describe('when PostgreSQL goes away mid-request', () => {
  let proxy: TcpProxy;
  let system: TestSystem;
  let apiKey: string;

  beforeAll(async () => {
    const pg = new URL(TEST_PG_URL);
    proxy = await startTcpProxy({ host: pg.hostname, port: Number(pg.port || 5432) });
    system = await startSystem({ workers: false, databaseVia: proxy });
    ({ apiKey } = await system.createAccount());
  });
  afterEach(() => proxy.restore());
  afterAll(async () => {
    proxy?.restore();
    await system?.stop();
    await proxy?.close();
  });

  it.each([
    ['POST /v1/leads', 'POST', '/v1/leads', { data: { email: 'a@example.com' } }],
    ['GET /v1/leads', 'GET', '/v1/leads', undefined],
    ['POST /v1/destinations', 'POST', '/v1/destinations', { name: 'x', type: 'custom', config: { url: 'http://127.0.0.1:9/x' } }],
  ])('%s answers 503 with Retry-After, then works again once it is back', async (_name, method, path, body) => {
    // Warm the pool, so the next request's query goes out on a connection that then dies.
    expect((await system.call('GET', '/v1/leads', { key: apiKey })).status).toBe(200);
    proxy.sever();
    const res = await system.call(method, path, { key: apiKey, body });
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('SERVICE_UNAVAILABLE');
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    // Once connections fail at start-up too, it is still 503.
    const again = await system.call(method, path, { key: apiKey, body });
    expect(again.status).toBe(503);
    proxy.restore();
    expect((await system.call('GET', '/v1/leads', { key: apiKey })).status).toBe(200);
  });
});
