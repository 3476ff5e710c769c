import { TEST_ADMIN_TOKEN } from '@crm-push/testing';
import fc from 'fast-check';
import { API_ROUTES } from './openapi/api-routes';
import { startSystem, type TestSystem } from './test-support/system';

/**
 * Random and adversarial JSON against every write route, on real PostgreSQL and Redis: every
 * answer is 2xx or a 4xx error envelope, never a 5xx, and another account's good leads posted
 * at the same time all succeed. FUZZ_SEED replays a run; FUZZ_MS sets the budget.
 */
const BUDGET_MS = Number(process.env.FUZZ_MS ?? 45_000);
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);

const nestedText = (depth: number, open: string, close: string, leaf: string) => open.repeat(depth) + leaf + close.repeat(depth);

/** JSON text no JSON.stringify would write: odd numbers, escapes, deep nesting, reserved keys. */
const rawJsonText = fc.oneof(
  fc.constantFrom('1e400', '-1e400', '1e-400', '-0', '123456789012345678901234567890', '0.0000000000000000000000001', '[]', 'null', '"x"', '42', 'true'),
  fc.constantFrom('"\\u0000"', '"\\ud800"', '"\\udfff\\ud800"', '"a\\u0000b"', '"\\uffff"', '"\\ud83d\\ude00"', '"\\u202e"', '"\\r\\n"'),
  fc.integer({ min: 1, max: 20_000 }).map((d) => nestedText(d, '[', ']', '1')),
  fc.integer({ min: 1, max: 20_000 }).map((d) => nestedText(d, '{"a":', '}', '"x"')),
);

const oddKey = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', '', ' ', 'a.b', '0', 'data', 'toString', 'hasOwnProperty', '\u0000', 'é', '\ud800'),
  fc.string({ maxLength: 20 }),
);

const oddString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 50 }),
  fc.string({ unit: 'grapheme', maxLength: 50 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '\ud800',
    'http://127.0.0.1:9/x',
    'https://[::127.0.0.1]/',
    'ftp://x',
    '{{ data.x',
    '(a)\\1',
    '\\d*\\d*\\d*x',
    'custom',
    'hubspot',
    'salesforce',
  ),
  fc.integer({ min: 1000, max: 300_000 }).map((n) => 'x'.repeat(n)),
);

/** Values as JSON text, so odd numbers and escapes survive (JSON.stringify would normalise them). */
const valueText: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    rawJsonText,
    oddString.map((s) => JSON.stringify(s)),
    fc.double().map((n) => (Number.isFinite(n) ? JSON.stringify(n) : '1e400')),
    fc.array(tie('value'), { maxLength: 5 }).map((items) => `[${items.join(',')}]`),
    fc.array(fc.tuple(oddKey, tie('value')), { maxLength: 5 }).map((entries) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`),
  ),
})).value;

/** A plausible body for a route with one field replaced by something adversarial, or a body of anything. */
function bodyFor(path: string): fc.Arbitrary<string> {
  const shapes: Record<string, string[]> = {
    '/v1/accounts': ['name'],
    '/v1/destinations': ['name', 'type', 'config', 'credentials', 'fieldMapping', 'routing', 'enabled'],
    '/v1/destinations/:id': ['name', 'config', 'credentials', 'fieldMapping', 'routing', 'enabled'],
    '/v1/leads': ['data', 'source', 'externalId'],
    '/v1/leads/:id/push': ['destinationIds'],
    '/v1/flows': ['name', 'when', 'actions', 'enabled'],
    '/v1/flows/:id': ['name', 'when', 'actions', 'enabled'],
  };
  const base: Record<string, string> = {
    name: '"n"',
    type: '"custom"',
    config: '{"url":"http://127.0.0.1:9/x"}',
    data: '{"email":"a@example.com"}',
    when: '{"field":"data.x","op":"exists"}',
    actions: '[{"type":"webhook","url":"http://127.0.0.1:9/h"}]',
  };
  const fields = shapes[path] ?? ['name', 'data'];
  const shaped = fc.tuple(fc.constantFrom(...fields), valueText).map(([field, value]) => {
    const parts = fields.filter((f) => f !== field && base[f]).map((f) => `"${f}":${base[f]}`);
    return `{${[...parts, `${JSON.stringify(field)}:${value}`].join(',')}}`;
  });
  return fc.oneof(shaped, valueText, fc.constantFrom('', '{', '{"a":1,}', 'not json', '\u0000'));
}

interface Target {
  method: string;
  path: string;
  key: 'account' | 'admin';
}

describe('fuzzing every write route', () => {
  let system: TestSystem;
  let fuzzed: { id: string; apiKey: string };
  let bystander: { id: string; apiKey: string };
  const ids: Record<string, string[]> = { destinations: [], leads: [], flows: [], deliveries: [] };

  beforeAll(async () => {
    system = await startSystem({ workers: false, env: { RATE_LIMIT_PER_MINUTE: '0' } });
    fuzzed = await system.createAccount('Fuzzed');
    bystander = await system.createAccount('Bystander');
    const destination = await system.call('POST', '/v1/destinations', {
      key: fuzzed.apiKey,
      body: { name: 'sink', type: 'custom', config: { url: 'http://127.0.0.1:9/x' } },
    });
    ids.destinations.push(destination.body.id);
    const lead = await system.call('POST', '/v1/leads', { key: fuzzed.apiKey, body: { data: { email: 'a@example.com' } } });
    ids.leads.push(lead.body.id);
    ids.deliveries.push(lead.body.deliveries[0].id);
    const flow = await system.call('POST', '/v1/flows', {
      key: fuzzed.apiKey,
      body: { name: 'f', when: { field: 'data.x', op: 'exists' }, actions: [{ type: 'webhook', url: 'http://127.0.0.1:9/h' }] },
    });
    ids.flows.push(flow.body.id);
  });
  afterAll(() => system?.stop());

  const writeRoutes: Target[] = [
    ...API_ROUTES.filter((r) => r.method !== 'get' && (r.auth === 'apiKey' || r.auth === 'admin')).map((r) => ({
      method: r.method.toUpperCase(),
      path: r.path,
      key: r.auth === 'admin' ? ('admin' as const) : ('account' as const),
    })),
    { method: 'POST', path: '/admin/api/deliveries/:id/retry', key: 'admin' },
    { method: 'POST', path: '/admin/api/deliveries/retry-matching', key: 'admin' },
  ];

  function idArbitrary(path: string): fc.Arbitrary<string> {
    const kind = path.includes('/destinations') ? 'destinations' : path.includes('/flows') ? 'flows' : path.includes('/deliveries') ? 'deliveries' : 'leads';
    return fc.oneof(
      fc.constant(kind).map((k) => ids[k][0]),
      fc.constantFrom('%00', '%ED%A0%80', '%', 'x%00y', '..', 'null', '0190c6f0-0000-7000-8000-000000000000', 'a'.repeat(5000)),
      fc.string({ maxLength: 40 }).map(encodeURIComponent),
    );
  }

  const request = fc
    .constantFrom(...writeRoutes)
    .chain((route) => fc.record({ route: fc.constant(route), id: idArbitrary(route.path), body: bodyFor(route.path), sendBody: fc.boolean() }));

  it(
    'answers 2xx or a 4xx error envelope, never 5xx, while another account posts good leads',
    async () => {
      expect(writeRoutes.map((r) => `${r.method} ${r.path}`)).toEqual(
        expect.arrayContaining([
          'POST /v1/leads',
          'POST /v1/destinations',
          'PATCH /v1/flows/:id',
          'POST /v1/accounts',
          'POST /v1/leads/:id/push',
          'POST /v1/deliveries/:id/retry',
        ]),
      );
      let fuzzing = true;
      const bystanderStatuses: number[] = [];
      const bystanderLoop = (async () => {
        for (let i = 0; fuzzing; i++) {
          const res = await system.call('POST', '/v1/leads', { key: bystander.apiKey, body: { data: { email: `good${i}@example.com`, n: i } } });
          bystanderStatuses.push(res.status);
        }
      })();

      let runs = 0;
      try {
        await fc.assert(
          fc.asyncProperty(request, async ({ route, id, body, sendBody }) => {
            runs += 1;
            const path = route.path.replace(':id', id);
            const key = route.key === 'admin' ? TEST_ADMIN_TOKEN : fuzzed.apiKey;
            const res = await system.call(route.method, path, { key, body: sendBody ? body : undefined, headers: { 'content-type': 'application/json' } });
            if (res.status >= 500) throw new Error(`${route.method} ${path.slice(0, 200)} answered ${res.status}: ${JSON.stringify(res.body).slice(0, 300)}`);
            if (res.status >= 400) {
              expect(typeof res.body?.error?.code).toBe('string');
              expect(typeof res.body?.error?.message).toBe('string');
            }
          }),
          { seed: SEED, numRuns: 1_000_000, interruptAfterTimeLimit: BUDGET_MS, markInterruptAsFailure: false, endOnFailure: true },
        );
      } catch (err) {
        throw new Error(`fuzzing failed (replay with FUZZ_SEED=${SEED}): ${(err as Error).message}`);
      } finally {
        fuzzing = false;
        await bystanderLoop;
      }
      expect(runs).toBeGreaterThan(100);
      expect(bystanderStatuses.length).toBeGreaterThan(10);
      expect(bystanderStatuses.filter((s) => s !== 202)).toEqual([]);
    },
    BUDGET_MS + 60_000,
  );
});
