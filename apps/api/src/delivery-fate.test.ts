import { createCustomSink, type CustomSink, type ScriptedAnswer, waitFor } from '@crm-push/testing';
import { startSystem, type TestSystem } from './test-support/system';

/**
 * Every kind of failure, before a call or of a call, ends in one of the invariant's states
 * (delivery-fate.ts): retryable ones `failed` with nextRetryAt (the sweep takes them), permanent
 * ones `failed` at once — never `retrying` without a live job. A throttling answer (429) is not a
 * failure: the destination's lane holds the delivery `queued` with a live delayed job, no retry spent.
 */
type FailureKind = {
  name: string;
  retryable: boolean;
  code: string;
  /** The lane waits instead of failing: the delivery stays queued, its call logged. */
  heldByLane?: boolean;
  /** Configures the destination; `after` runs once the lead is stored, before any worker runs. */
  setUp(ctx: Ctx): Promise<{ destination: Record<string, unknown>; after?: (destinationId: string) => Promise<void> }>;
};
type Ctx = { system: TestSystem; sink: CustomSink; failing: Record<Failing, CustomSink>; apiKey: string; closedUrl: string };
type Failing = 'down500' | 'limited' | 'bad' | 'hang';

const custom = (url: string, extra: Record<string, unknown> = {}) => ({ name: 'd', type: 'custom', config: { url, timeoutMs: 300 }, ...extra });

const KINDS: FailureKind[] = [
  { name: 'a 500', retryable: true, code: 'HTTP_500', setUp: async ({ failing }) => ({ destination: custom(`${failing.down500.url}/leads`) }) },
  {
    name: 'a 429',
    retryable: true,
    code: 'HTTP_429',
    heldByLane: true,
    setUp: async ({ failing }) => ({ destination: custom(`${failing.limited.url}/leads`) }),
  },
  { name: 'a 400', retryable: false, code: 'HTTP_400', setUp: async ({ failing }) => ({ destination: custom(`${failing.bad.url}/leads`) }) },
  { name: 'a refused connection', retryable: true, code: 'CONNECTION_REFUSED', setUp: async ({ closedUrl }) => ({ destination: custom(closedUrl) }) },
  { name: 'a timeout', retryable: true, code: 'TIMEOUT', setUp: async ({ failing }) => ({ destination: custom(`${failing.hang.url}/leads`) }) },
  { name: 'an unresolvable host', retryable: true, code: 'NETWORK_ERROR', setUp: async () => ({ destination: custom('https://crm.example.invalid/leads') }) },
  {
    name: 'a mapping error',
    retryable: false,
    code: 'MAPPING_ERROR',
    setUp: async ({ sink }) => ({ destination: custom(`${sink.url}/leads`, { fieldMapping: [{ from: 'phone', to: 'phone', required: true }] }) }),
  },
  {
    name: 'a disabled destination',
    retryable: false,
    code: 'DESTINATION_DISABLED',
    setUp: async ({ sink, system, apiKey }) => ({
      destination: custom(`${sink.url}/leads`),
      after: async (id) => void (await system.call('PATCH', `/v1/destinations/${id}`, { key: apiKey, body: { enabled: false } })),
    }),
  },
  {
    name: 'a deleted destination',
    retryable: false,
    code: 'DESTINATION_DELETED',
    setUp: async ({ sink, system, apiKey }) => ({
      destination: custom(`${sink.url}/leads`),
      after: async (id) => void (await system.call('DELETE', `/v1/destinations/${id}`, { key: apiKey })),
    }),
  },
  {
    name: 'credentials that cannot be decrypted',
    retryable: false,
    code: 'CREDENTIALS_UNREADABLE',
    setUp: async ({ sink, system }) => ({
      destination: custom(`${sink.url}/leads`, { credentials: { type: 'bearer', token: 't' } }),
      after: async (id) => void (await system.deps.db.destination.update({ where: { id }, data: { credentials: 'not-a-sealed-box' } })),
    }),
  },
];

async function runEveryKind(system: TestSystem, sink: CustomSink, failing: Record<Failing, CustomSink>, kinds: FailureKind[], closedUrl: string) {
  const leads: { kind: FailureKind; leadId: string }[] = [];
  for (const kind of kinds) {
    // One account per kind: each lead goes to its own destination only.
    const ctx = { system, sink, failing, apiKey: (await system.createAccount()).apiKey, closedUrl };
    const { destination, after } = await kind.setUp(ctx);
    const created = await system.call('POST', '/v1/destinations', { key: ctx.apiKey, body: destination });
    expect({ failure: kind.name, status: created.status, body: created.body }).toMatchObject({ status: 201 });
    const lead = await system.call('POST', '/v1/leads', { key: ctx.apiKey, body: { data: { email: 'ada@example.com', lastName: 'L' } } });
    expect(lead.status).toBe(202);
    await after?.(created.body.id);
    leads.push({ kind, leadId: lead.body.id });
  }
  system.startWorkers();
  for (const { kind, leadId } of leads) {
    const delivery = await waitFor(`${kind.name} to settle`, async () => {
      const row = await system.deps.db.delivery.findFirst({ where: { leadId } });
      if (kind.heldByLane) return row && row.attempts > 0 ? row : undefined;
      return row && (row.status === 'failed' || row.status === 'succeeded') ? row : undefined;
    });
    const expected = kind.heldByLane
      ? { status: 'queued', lastErrorCode: kind.code, lastErrorRetryable: true, nextRetryAt: null }
      : kind.retryable
        ? { status: 'failed', lastErrorCode: kind.code, lastErrorRetryable: true, nextRetryAt: expect.any(Date) }
        : { status: 'failed', lastErrorCode: kind.code, lastErrorRetryable: false, nextRetryAt: null };
    expect({ ...delivery, failure: kind.name }).toMatchObject({ ...expected, failure: kind.name });
  }
  await system.expectNoBrokenDeliveries();
}

/** One sink per scripted failure, each answering its failure on every call. */
async function startFailingSinks(): Promise<Record<Failing, CustomSink>> {
  const answers: Record<Failing, ScriptedAnswer> = {
    down500: { status: 500 },
    limited: { status: 429, body: { error: 'slow down' } },
    bad: { status: 400, body: { error: 'no' } },
    hang: { hang: true },
  };
  const entries = await Promise.all(
    Object.entries(answers).map(async ([name, answer]) => {
      const s = createCustomSink();
      await s.start();
      s.script('leads', [], answer);
      return [name, s] as const;
    }),
  );
  return Object.fromEntries(entries) as Record<Failing, CustomSink>;
}

describe('every failure kind ends in a state the queue agrees with', () => {
  let sink: CustomSink;
  let failing: Record<Failing, CustomSink>;
  let closedUrl: string;

  beforeAll(async () => {
    sink = createCustomSink();
    await sink.start();
    failing = await startFailingSinks();
    const closed = createCustomSink();
    closedUrl = `${await closed.start()}/leads`;
    await closed.stop();
  });
  afterAll(async () => {
    await Promise.all([sink, ...Object.values(failing)].map((s) => s.stop()));
  });

  it('with ALLOW_PRIVATE_DESTINATIONS', async () => {
    const system = await startSystem({ workers: false, env: { RETRY_ATTEMPTS: '2' } });
    try {
      await runEveryKind(system, sink, failing, KINDS, closedUrl);
    } finally {
      await system.stop();
    }
  });

  it('without ALLOW_PRIVATE_DESTINATIONS: an unresolvable host retries without a call, a private address is refused for good', async () => {
    const system = await startSystem({ workers: false, env: { RETRY_ATTEMPTS: '2', ALLOW_PRIVATE_DESTINATIONS: 'false' } });
    try {
      const refusedAtConnect: FailureKind = {
        name: 'a private address refused at connect time',
        retryable: false,
        code: 'DESTINATION_NOT_ALLOWED',
        setUp: async ({ system: s }) => ({
          destination: custom('https://crm.example.invalid/leads'),
          // As if the name now resolved to a private address (DNS rebinding): the call-time check refuses it.
          after: async (id) => void (await s.deps.db.destination.update({ where: { id }, data: { config: { url: `${sink.url}/leads`, timeoutMs: 300 } } })),
        }),
      };
      const unresolvable = KINDS.find((k) => k.code === 'NETWORK_ERROR')!;
      await runEveryKind(system, sink, failing, [unresolvable, refusedAtConnect], closedUrl);
      // No call was made: the address check failed before any.
      const rows = await system.deps.db.delivery.findMany({ select: { attempts: true, lastErrorCode: true } });
      expect(rows.map((r) => r.attempts)).toEqual([0, 0]);
    } finally {
      await system.stop();
    }
  });

  it('refuses a loopback destination at save time and says how to allow it', async () => {
    const system = await startSystem({ workers: false, env: { ALLOW_PRIVATE_DESTINATIONS: 'false' } });
    try {
      const { apiKey } = await system.createAccount();
      const res = await system.call('POST', '/v1/destinations', { key: apiKey, body: custom('http://127.0.0.1:9/leads') });
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body.error)).toContain('ALLOW_PRIVATE_DESTINATIONS=true');
    } finally {
      await system.stop();
    }
  });
});
