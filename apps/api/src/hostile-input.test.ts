import { TEST_ADMIN_TOKEN } from '@crm-push/testing';
import { startSystem, type TestSystem } from './test-support/system';

/** Errors name each bad field: the paths of a 400's details. */
function refusedPaths(res: { status: number; body: any }): string[] {
  expect(res.status).toBe(400);
  expect(res.body.error.code).toBe('VALIDATION_ERROR');
  return (res.body.error.details as { path: string }[]).map((d) => d.path);
}

function nested(depth: number, leaf: unknown = 1): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

/** JSON text nested `depth` times around `leaf`, built as text: JSON.stringify overflows the stack first. */
function nestedText(depth: number, open: string, close: string, leaf: string): string {
  return open.repeat(depth) + leaf + close.repeat(depth);
}

describe('input PostgreSQL cannot store is refused, and never harms another request', () => {
  let system: TestSystem;
  let apiKey: string;

  beforeAll(async () => {
    system = await startSystem({ workers: false });
    ({ apiKey } = await system.createAccount('Hostile'));
  });
  afterAll(() => system?.stop());

  const post = (body: unknown, key = apiKey) => system.call('POST', '/v1/leads', { key, body });

  it.each([
    ['a NUL in a value', '{"data":{"x":"a\\u0000b"}}', 'data.x'],
    ['a NUL in a key', '{"data":{"x\\u0000":"b"}}', 'data.x\u0000'],
    ['a lone high surrogate', '{"data":{"name":"\\ud800"}}', 'data.name'],
    ['a lone low surrogate in a list', '{"data":{"tags":["ok","\\udc00x"]}}', 'data.tags.1'],
    ['a number beyond the double range', '{"data":{"n":1e400}}', 'data.n'],
    ['a negative number beyond the double range', '{"data":{"n":-1e400}}', 'data.n'],
    ['the key __proto__', '{"data":{"__proto__":{"admin":true}}}', 'data.__proto__'],
    ['the key constructor', '{"data":{"a":{"constructor":1}}}', 'data.a.constructor'],
    ['the key prototype', '{"data":{"prototype":"x"}}', 'data.prototype'],
    ['a NUL in the source', '{"data":{},"source":"web\\u0000"}', 'source'],
  ])('refuses %s with 400 naming the field', async (_what, raw, path) => {
    const res = await post(raw);
    expect(refusedPaths(res)).toContain(path);
  });

  it('refuses nesting deeper than 32 levels, and accepts 32', async () => {
    expect((await post({ data: nested(31) })).status).toBe(202);
    const res = await post({ data: nested(32) });
    expect(refusedPaths(res)[0]).toMatch(/^data(\.a)+$/);
    expect(res.body.error.message).toMatch(/32 levels/);
    expect(refusedPaths(await post(`{"data":${nestedText(10_000, '{"a":', '}', '1')}}`))).toHaveLength(1);
  });

  it('keeps good leads of another account whole while one account posts a NUL at the same time', async () => {
    const other = await system.createAccount('Bystander');
    const good = Array.from({ length: 100 }, (_, i) => post({ data: { email: `good${i}@example.com` } }, other.apiKey));
    const bad = Array.from({ length: 5 }, () => post('{"data":{"x":"\\u0000"}}'));
    const [goodAnswers, badAnswers] = await Promise.all([Promise.all(good), Promise.all(bad)]);
    expect(goodAnswers.map((r) => r.status)).toEqual(goodAnswers.map(() => 202));
    expect(badAnswers.map((r) => r.status)).toEqual(badAnswers.map(() => 400));
  });

  it('refuses a when tree 10 000 levels deep with 400, not 500', async () => {
    const when = nestedText(10_000, '{"all":[', ']}', '{"field":"data.x","op":"exists"}');
    const res = await system.call('POST', '/v1/flows', { key: apiKey, body: `{"name":"deep","when":${when},"actions":[]}` });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
  });

  it('refuses a NUL in a destination name and a flow name with 400 naming the field', async () => {
    const destination = await system.call('POST', '/v1/destinations', {
      key: apiKey,
      body: '{"name":"a\\u0000","type":"custom","config":{"url":"http://127.0.0.1:9/x"}}',
    });
    expect(refusedPaths(destination)).toContain('name');
    const flow = await system.call('POST', '/v1/flows', { key: apiKey, body: '{"name":"\\ud800","when":{"field":"data.x","op":"exists"},"actions":[]}' });
    expect(refusedPaths(flow)).toContain('name');
  });

  it('refuses a NUL in a path id with 400 rather than a database error', async () => {
    const res = await system.call('POST', '/v1/leads/a%00b/push', { key: apiKey, body: {} });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
  });

  it('refuses a path id that is not valid percent-encoded UTF-8 with 400, on the admin routes too', async () => {
    for (const [path, key] of [
      ['/v1/leads/%ED%A0%80/push', apiKey],
      ['/admin/api/deliveries/%ED%A0%80/retry', TEST_ADMIN_TOKEN],
    ]) {
      const res = await system.call('POST', path, { key, body: {}, headers: { origin: system.url } });
      expect({ path, status: res.status, code: res.body.error?.code }).toEqual({ path, status: 400, code: expect.any(String) });
    }
  });
});
