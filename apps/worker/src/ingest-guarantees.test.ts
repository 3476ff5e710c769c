import { freePort, useStack } from '@crm-push/testing';

describe('ingest guarantees of the api process', () => {
  const t = useStack({ sinks: 1, api: {}, account: true });

  async function fifty(body: unknown, headers: Record<string, string> = {}) {
    const results = await Promise.all(Array.from({ length: 50 }, () => t.api.call('POST', '/v1/leads', { key: t.apiKey, body, headers })));
    const statuses = results.map((r) => r.status).sort();
    const ids = new Set(results.map((r) => r.body.id));
    return { statuses, ids };
  }

  it('(f) creates one lead for 50 concurrent requests with the same Idempotency-Key; the rest answer 200 with its id', async () => {
    const { statuses, ids } = await fifty({ data: { email: 'same@example.com' } }, { 'idempotency-key': 'order-42' });
    expect(statuses).toEqual([...Array(49).fill(200), 202]);
    expect(ids.size).toBe(1);
    const [id] = ids;
    expect(await t.stack.database.db.lead.count({ where: { idempotencyKey: 'order-42' } })).toBe(1);
    expect(await t.stack.database.db.delivery.count({ where: { leadId: id } })).toBe(1);
  });

  it('(f) creates one lead for 50 concurrent requests with the same source + externalId', async () => {
    const { statuses, ids } = await fifty({ data: { email: 'ext@example.com' }, source: 'webform', externalId: 'ext-7' });
    expect(statuses).toEqual([...Array(49).fill(200), 202]);
    expect(ids.size).toBe(1);
    expect(await t.stack.database.db.lead.count({ where: { source: 'webform', externalId: 'ext-7' } })).toBe(1);
  });

  it('answers 503 with nothing accepted while PostgreSQL is unreachable, and /ready names it', async () => {
    const unreachable = new URL(t.stack.database.url);
    unreachable.port = String(await freePort());
    const down = await t.stack.startApi({ DATABASE_URL: unreachable.toString() });
    const before = await t.stack.database.db.lead.count();
    try {
      const res = await down.call('POST', '/v1/leads', { key: t.apiKey, body: { data: { email: 'nowhere@example.com' } } });
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe('SERVICE_UNAVAILABLE');
      const ready = await down.call('GET', '/ready');
      expect(ready.status).toBe(503);
      expect(ready.body.checks).toMatchObject({ postgres: { status: 'down', error: expect.any(String) }, redis: { status: 'up' } });
      expect(JSON.stringify(ready.body)).not.toContain('127.0.0.1'); // no connection details leak
    } finally {
      await down.stop();
    }
    expect(await t.stack.database.db.lead.count()).toBe(before);
    expect((await t.api.call('GET', '/ready')).status).toBe(200);
  });
});
