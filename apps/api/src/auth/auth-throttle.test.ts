import { TEST_ADMIN_TOKEN } from '@crm-push/testing';
import http from 'node:http';
import { createLogger } from '@crm-push/config';
import { createRedis } from '@crm-push/queue';
import { createApp } from '../app';
import { startSystem, type TestSystem } from '../test-support/system';

/** The product's thresholds (auth-throttle.ts): failures 1–19 get 401 (11–19 slowed), the 20th and later 429. */
const REFUSED_FROM = 20;

/** HTTP from a chosen loopback source address, as a distinct client would be. */
function clientAt(address: string) {
  const agent = new http.Agent({ keepAlive: true, localAddress: address });
  return {
    send(url: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
      return new Promise<{ status: number; retryAfter?: string; text: string }>((resolve, reject) => {
        const req = http.request(url, { method: opts.method ?? 'GET', headers: opts.headers, agent }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode!, retryAfter: res.headers['retry-after'], text }));
        });
        req.on('error', reject);
        req.end(opts.body);
      });
    },
    close: () => agent.destroy(),
  };
}

/** 200 attempts, 10 at a time; returns each answer's status, in order sent. */
async function hammer(send: (i: number) => Promise<{ status: number; retryAfter?: string }>, total = 200) {
  const answers: { status: number; retryAfter?: string }[] = [];
  for (let i = 0; i < total; i += 10) answers.push(...(await Promise.all(Array.from({ length: 10 }, (_, j) => send(i + j)))));
  return answers;
}

function expectRefusedAfterThreshold(answers: { status: number; retryAfter?: string }[]) {
  const statuses = answers.map((a) => a.status);
  expect(statuses.filter((s) => s !== 429 && s !== 401)).toEqual([]);
  expect(statuses.filter((s) => s === 401)).toHaveLength(REFUSED_FROM - 1);
  expect(statuses.filter((s) => s === 429)).toHaveLength(answers.length - (REFUSED_FROM - 1));
  // Once refused, refused: everything sent after the batch holding the 20th failure is a 429.
  expect(new Set(statuses.slice(REFUSED_FROM))).toEqual(new Set([429]));
  const retryAfter = Number(answers.find((a) => a.status === 429)!.retryAfter);
  expect(retryAfter).toBeGreaterThan(60);
  expect(retryAfter).toBeLessThanOrEqual(900);
}

describe('throttled authentication', () => {
  let system: TestSystem;
  let sibling: { url: string; stop(): Promise<void> };
  let apiKey: string;
  const clients: ReturnType<typeof clientAt>[] = [];
  const at = (address: string) => {
    const c = clientAt(address);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    system = await startSystem({ workers: false });
    sibling = await system.startSiblingApi();
    ({ apiKey } = await system.createAccount());
  });
  afterAll(async () => {
    clients.forEach((c) => c.close());
    await sibling.stop();
    await system.stop();
  });

  // Each api process in turn: the count is shared, so together they still allow only 19 failures.
  const either = (i: number) => (i % 2 === 0 ? system.url : sibling.url);

  it('refuses 200 wrong tokens at /admin/login with 429 after the threshold, counted across both api processes', async () => {
    const attacker = at('127.0.0.2');
    const answers = await hammer((i) => {
      const base = either(i);
      return attacker.send(`${base}/admin/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: base },
        body: `token=wrong-${i}&next=%2Fadmin`,
      });
    });
    expectRefusedAfterThreshold(answers);
    // The same address is refused even with the right token, so a guess cannot be confirmed.
    const right = await attacker.send(`${system.url}/admin/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: system.url },
      body: `token=${TEST_ADMIN_TOKEN}&next=%2Fadmin`,
    });
    expect(right.status).toBe(429);
    expect(right.text).toContain('Too many wrong tokens');
    // Another address logs in at once.
    const other = await at('127.0.0.3').send(`${sibling.url}/admin/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: sibling.url },
      body: `token=${TEST_ADMIN_TOKEN}&next=%2Fadmin`,
    });
    expect(other.status).toBe(303);
  });

  it('refuses 200 wrong admin bearer tokens with 429 after the threshold, while another address still gets in', async () => {
    const attacker = at('127.0.0.4');
    const answers = await hammer((i) =>
      attacker.send(`${either(i)}/v1/accounts`, {
        method: 'POST',
        headers: { authorization: `Bearer wrong-admin-token-${i}`, 'content-type': 'application/json' },
        body: '{"name":"x"}',
      }),
    );
    expectRefusedAfterThreshold(answers);
    const refusedBody = await attacker.send(`${system.url}/admin/api/leads`, { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });
    expect(refusedBody.status).toBe(429);
    expect(JSON.parse(refusedBody.text).error.code).toBe('TOO_MANY_AUTH_FAILURES');

    const other = at('127.0.0.5');
    const created = await other.send(`${sibling.url}/v1/accounts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: '{"name":"Legit"}',
    });
    expect(created.status).toBe(201);
  });

  it('refuses 200 wrong API keys (bearer and x-api-key) with 429 after the threshold; a right key from another address works', async () => {
    const attacker = at('127.0.0.6');
    const answers = await hammer((i) =>
      attacker.send(`${either(i)}/v1/leads`, { headers: i % 3 === 0 ? { 'x-api-key': `cpk_guess${i}` } : { authorization: `Bearer cpk_guess${i}` } }),
    );
    expectRefusedAfterThreshold(answers);
    const producer = at('127.0.0.7');
    for (const base of [system.url, sibling.url]) {
      expect((await producer.send(`${base}/v1/leads`, { headers: { authorization: `Bearer ${apiKey}` } })).status).toBe(200);
      expect((await producer.send(`${base}/v1/leads`, { headers: { 'x-api-key': apiKey } })).status).toBe(200);
    }
  });

  it('does not count successes: failures before and after many good requests still add up to the same threshold', async () => {
    const client = at('127.0.0.8');
    const wrong = () => client.send(`${system.url}/v1/leads`, { headers: { authorization: 'Bearer cpk_wrong' } });
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await wrong()).status);
    for (let i = 0; i < 50; i++)
      expect(
        (
          await client.send(`${sibling.url}/v1/accounts`, {
            method: 'POST',
            headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' },
            body: '{"name":"n"}',
          })
        ).status,
      ).toBe(201);
    for (let i = 0; i < 10; i++) statuses.push((await wrong()).status);
    expect(statuses).toEqual([...Array(19).fill(401), 429]);
  });
});

describe('throttled authentication with Redis unreachable', () => {
  it('fails open: wrong tokens stay plain 401s, right ones work, and the outage is logged', async () => {
    const system = await startSystem({ workers: false });
    const lines: string[] = [];
    const logger = createLogger({ level: 'warn', name: 'test', destination: { write: (l: string) => void lines.push(l) } });
    const deadRedis = createRedis('redis://127.0.0.1:1', 'producer');
    const app = createApp({ ...system.deps, logger }, { redis: deadRedis });
    const server = await new Promise<import('node:http').Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const url = `http://127.0.0.1:${(server.address() as import('node:net').AddressInfo).port}`;
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 30; i++) {
        statuses.push(
          (
            await fetch(`${url}/v1/accounts`, {
              method: 'POST',
              headers: { authorization: 'Bearer wrong-token-value-000', 'content-type': 'application/json' },
              body: '{"name":"x"}',
            })
          ).status,
        );
      }
      expect(new Set(statuses)).toEqual(new Set([401]));
      const right = await fetch(`${url}/v1/accounts`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' },
        body: '{"name":"x"}',
      });
      expect(right.status).toBe(201);
      expect(lines.some((l) => l.includes('authentication throttling is off'))).toBe(true);
    } finally {
      server.closeAllConnections?.();
      await new Promise((r) => server.close(r));
      deadRedis.disconnect();
      await system.stop();
    }
  });
});
