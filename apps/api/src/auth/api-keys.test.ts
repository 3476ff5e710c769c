import { TEST_ADMIN_TOKEN, waitFor } from '@crm-push/testing';
import { startSystem, type TestSystem } from '../test-support/system';

describe('API keys', () => {
  let system: TestSystem;
  let sibling: { url: string; stop(): Promise<void> };
  let account: { id: string; apiKey: string };

  beforeAll(async () => {
    system = await startSystem({ workers: false });
    sibling = await system.startSiblingApi();
  });
  afterAll(async () => {
    await sibling.stop();
    await system.stop();
  });
  beforeEach(async () => {
    account = await system.createAccount();
  });

  const createKey = (body: unknown, key = account.apiKey) => system.call('POST', '/v1/api-keys', { key, body });

  it('creates a key shown once, lists keys without it, and records when each was last used', async () => {
    const created = await createKey({ name: 'zapier', scope: 'full' });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(String),
      name: 'zapier',
      scope: 'full',
      apiKey: expect.stringMatching(/^cpk_/),
      createdAt: expect.any(String),
      lastUsedAt: null,
    });
    expect((await system.call('GET', '/v1/leads', { key: created.body.apiKey })).status).toBe(200);

    const listed = await waitFor('lastUsedAt to be recorded', async () => {
      const { body } = await system.call('GET', '/v1/api-keys', { key: account.apiKey });
      return body.items.every((k: { lastUsedAt: string | null }) => k.lastUsedAt) ? body : undefined;
    });
    expect(listed.items.map((k: { name: string; scope: string }) => [k.name, k.scope])).toEqual([
      ['default', 'full'],
      ['zapier', 'full'],
    ]);
    expect(JSON.stringify(listed)).not.toContain(created.body.apiKey);
    expect(JSON.stringify(listed)).not.toContain(account.apiKey);
    for (const k of listed.items) expect(Object.keys(k).sort()).toEqual(['createdAt', 'id', 'lastUsedAt', 'name', 'scope']);
  });

  it('defaults to scope full and refuses bad input with 400 naming the field', async () => {
    expect((await createKey({ name: 'ci' })).body.scope).toBe('full');
    const bad = await createKey({ name: '', scope: 'admin' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['name', 'scope']);
  });

  it('accepts a key as x-api-key as well as a bearer', async () => {
    const res = await system.call('GET', '/v1/api-keys', { headers: { 'x-api-key': account.apiKey } });
    expect(res.status).toBe(200);
  });

  it('lets an ingest key only POST /v1/leads: anything else is 403 INSUFFICIENT_SCOPE', async () => {
    const { apiKey: ingestKey } = (await createKey({ name: 'web form', scope: 'ingest' })).body;
    const lead = await system.call('POST', '/v1/leads', { key: ingestKey, body: { data: { email: 'ada@example.com' } } });
    expect(lead.status).toBe(202);
    const viaHeader = await system.call('POST', '/v1/leads/', { headers: { 'x-api-key': ingestKey }, body: { data: { email: 'bob@example.com' } } });
    expect(viaHeader.status).toBe(202);
    for (const [method, path, body] of [
      ['GET', '/v1/leads', undefined],
      ['GET', `/v1/leads/${lead.body.id}`, undefined],
      ['DELETE', `/v1/leads/${lead.body.id}`, undefined],
      ['POST', '/v1/leads/push-pending', undefined],
      ['GET', '/v1/api-keys', undefined],
      ['POST', '/v1/api-keys', { name: 'escalate', scope: 'full' }],
      ['GET', '/v1/destinations', undefined],
    ] as const) {
      const res = await system.call(method, path, { key: ingestKey, body });
      expect([method, path, res.status, res.body.error.code]).toEqual([method, path, 403, 'INSUFFICIENT_SCOPE']);
    }
    // The lead is stored for the account all the same.
    expect((await system.call('GET', `/v1/leads/${lead.body.id}`, { key: account.apiKey })).status).toBe(200);
  });

  it('revokes a key at once on every api process, even one that had it cached', async () => {
    const { id, apiKey } = (await createKey({ name: 'to revoke' })).body;
    // Both processes have now resolved (and cached) the key.
    for (const baseUrl of [system.url, sibling.url]) {
      expect((await system.call('GET', '/v1/leads', { key: apiKey, baseUrl })).status).toBe(200);
      expect((await system.call('GET', '/v1/leads', { key: apiKey, baseUrl })).status).toBe(200);
    }
    const revoked = await system.call('DELETE', `/v1/api-keys/${id}`, { key: account.apiKey, baseUrl: sibling.url });
    expect(revoked.status).toBe(204);
    // The announcement crosses Redis; the first process may need a moment, never the cache's minute.
    await waitFor(
      'the first process to refuse the revoked key',
      async () => ((await system.call('GET', '/v1/leads', { key: apiKey })).status === 401 ? true : undefined),
      {
        timeoutMs: 2000,
      },
    );
    for (const baseUrl of [system.url, sibling.url]) {
      const res = await system.call('GET', '/v1/leads', { key: apiKey, baseUrl });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('UNAUTHORIZED');
      expect((await system.call('GET', '/v1/leads', { headers: { 'x-api-key': apiKey }, baseUrl })).status).toBe(401);
    }
    const listed = await system.call('GET', '/v1/api-keys', { key: account.apiKey });
    expect(listed.body.items.map((k: { id: string }) => k.id)).not.toContain(id);
    expect((await system.call('DELETE', `/v1/api-keys/${id}`, { key: account.apiKey })).status).toBe(404);
  });

  it("keeps an account's last full key, and never touches another account's keys", async () => {
    const keys = await system.call('GET', '/v1/api-keys', { key: account.apiKey });
    const last = await system.call('DELETE', `/v1/api-keys/${keys.body.items[0].id}`, { key: account.apiKey });
    expect(last.status).toBe(409);
    expect(last.body.error.code).toBe('LAST_FULL_KEY');

    const other = await system.createAccount('Other');
    const otherKeys = await system.call('GET', '/v1/api-keys', { key: other.apiKey });
    await createKey({ name: 'spare' });
    const foreign = await system.call('DELETE', `/v1/api-keys/${otherKeys.body.items[0].id}`, { key: account.apiKey });
    expect(foreign.status).toBe(404);
    expect((await system.call('GET', '/v1/leads', { key: other.apiKey })).status).toBe(200);
  });

  it('gives POST /v1/accounts a full key', async () => {
    const res = await system.call('POST', '/v1/accounts', { key: TEST_ADMIN_TOKEN, body: { name: 'Fresh' } });
    const listed = await system.call('GET', '/v1/api-keys', { key: res.body.apiKey });
    expect(listed.body.items).toEqual([expect.objectContaining({ name: 'default', scope: 'full' })]);
  });
});
