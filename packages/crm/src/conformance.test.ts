import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createNetworkPolicy, DeliveryError, type NetworkPolicy } from '@crm-push/outbound';
import { deliveryFailure } from '@crm-push/testing';
import type { CrmAdapter } from './contract';
import type { ConformanceFixture } from './__tests__/conformance-fixture';
import { CRM_TYPES, crmModule, type CrmType } from './registry';

/**
 * The contract every CRM module keeps, run against each module in the registry with the fake its
 * folder supplies (`<type>/__tests__/conformance-fixture.ts`). A new module passes this or does not ship.
 */

const allowPrivate = createNetworkPolicy({ allowPrivateNetworks: true });
const denyPrivate = createNetworkPolicy({ allowPrivateNetworks: false });

function fixtureOf(type: CrmType): ConformanceFixture {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- one fixture per registry entry, found by folder
  return (require(`./${type}/__tests__/conformance-fixture`) as { fixture: ConformanceFixture }).fixture;
}

function adapterAt(type: CrmType, fixture: ConformanceFixture, baseUrl: string, network: NetworkPolicy): CrmAdapter {
  const crm = crmModule(type);
  const { config, credentials } = fixture.settings(baseUrl);
  return crm.createAdapter({ config: crm.configSchema.parse(config), credentials: crm.credentialsSchema.parse(credentials), network });
}

/** A server that records what reaches it; optionally answers every request with a 307 to `location`. */
async function startServer(
  location?: string,
): Promise<{ url: string; seen: { url: string; headers: IncomingHttpHeaders; body: string }[]; close(): Promise<void> }> {
  const seen: { url: string; headers: IncomingHttpHeaders; body: string }[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ url: req.url ?? '', headers: req.headers, body });
      if (location) res.writeHead(307, { location: `${location}${req.url ?? '/'}` }).end();
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe.each(CRM_TYPES)('CRM module "%s"', (type) => {
  const crm = crmModule(type);
  const fixture = fixtureOf(type);
  let baseUrl: string;
  beforeAll(async () => {
    baseUrl = await fixture.start();
  });
  afterAll(() => fixture.stop());

  it('declares its type, a display name and the schemas of its settings', () => {
    expect(crm.type).toBe(type);
    expect(crm.displayName).toMatch(/^[A-Z][A-Za-z]+$/);
    const { config, credentials } = fixture.settings(baseUrl);
    expect(crm.configSchema.safeParse(config).success).toBe(true);
    expect(crm.credentialsSchema.safeParse(credentials).success).toBe(true);
    if (crm.defaultCredentials !== undefined) expect(crm.credentialsSchema.safeParse(crm.defaultCredentials).success).toBe(true);
  });

  it('declares a batch size only with a batch API behind it, and bulk only with pushBulk', () => {
    const adapter = adapterAt(type, fixture, baseUrl, allowPrivate);
    if (crm.batching) expect(crm.batching.maxRecords).toBeGreaterThan(1);
    expect(typeof adapter.pushBulk === 'function').toBe(crm.batching?.bulk === true);
  });

  describe('test()', () => {
    it('answers ok against a working CRM', async () => {
      await expect(adapterAt(type, fixture, baseUrl, allowPrivate).test()).resolves.toMatchObject({ ok: true });
    });

    it('never throws: nothing listening is reported as not ok', async () => {
      const gone = await startServer();
      await gone.close();
      const result = await adapterAt(type, fixture, gone.url, allowPrivate).test();
      expect(result.ok).toBe(false);
      expect(result.error?.code).toEqual(expect.any(String));
    });
  });

  describe('classifyError', () => {
    it.each([
      ['an Error', new Error('boom')],
      ['a string', 'boom'],
      ['undefined', undefined],
      ['null', null],
      ['a number', 42],
      ['a network error', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })],
      ['an object with a status', { code: 500, status: 500, body: 'x', headers: {} }],
      ['a DeliveryError', new DeliveryError({ code: 'X', message: 'x', retryable: false })],
    ])('returns a DeliveryError for %s', (_what, thrown) => {
      const error = crm.classifyError(thrown);
      expect(error).toBeInstanceOf(DeliveryError);
      expect(typeof error.code).toBe('string');
      expect(typeof error.retryable).toBe('boolean');
    });
  });

  describe('with private networks disallowed', () => {
    // The adapter itself (not a check before it) must refuse: this is the guard at connect time.
    it.each(['localhost', '127.0.0.1', '[::ffff:127.0.0.1]'])('refuses the loopback host %s at connect time, calling nothing', async (host) => {
      const target = await startServer();
      try {
        const url = target.url.replace('127.0.0.1', host);
        const adapter = adapterAt(type, fixture, url, denyPrivate);
        const err = await deliveryFailure(adapter.push(fixture.record(1), { deliveryId: 'conformance-1' }));
        expect(err).toMatchObject({ code: 'DESTINATION_NOT_ALLOWED', retryable: false });
        const tested = await adapter.test();
        expect(tested).toMatchObject({ ok: false, error: { code: 'DESTINATION_NOT_ALLOWED' } });
        expect(target.seen).toHaveLength(0);
      } finally {
        await target.close();
      }
    });
  });

  describe('a CRM that answers 307', () => {
    it('is never followed, and the credentials go nowhere but the configured host', async () => {
      const target = await startServer();
      const redirector = await startServer(target.url);
      try {
        const adapter = adapterAt(type, fixture, redirector.url, allowPrivate);
        const err = await deliveryFailure(adapter.push(fixture.record(2), { deliveryId: 'conformance-2' }));
        expect(err).toMatchObject({ code: 'REDIRECT_NOT_FOLLOWED', retryable: false, statusCode: 307 });
        expect(err.message).toContain(`"${new URL(target.url).host}"`);
        const many = await adapter.pushMany([{ record: fixture.record(3), ctx: { deliveryId: 'conformance-3' } }]);
        expect(many).toMatchObject([{ ok: false, error: { code: 'REDIRECT_NOT_FOLLOWED' } }]);
        expect(await adapter.test()).toMatchObject({ ok: false, error: { code: 'REDIRECT_NOT_FOLLOWED' } });
        // The configured host got the calls, with the credential; the redirect target got nothing.
        expect(redirector.seen.length).toBeGreaterThan(0);
        expect(redirector.seen.some((r) => JSON.stringify(r.headers).includes(fixture.secret))).toBe(true);
        expect(target.seen).toEqual([]);
      } finally {
        await redirector.close();
        await target.close();
      }
    });
  });

  describe('results', () => {
    it('maps a lone lead to its CRM id', async () => {
      const result = await adapterAt(type, fixture, baseUrl, allowPrivate).push(fixture.record(10), { deliveryId: 'conformance-10' });
      expect(result).toMatchObject({ externalId: expect.any(String), action: expect.stringMatching(/^(created|updated)$/) });
    });

    it('maps a batch back, one result per lead, in order', async () => {
      const items = [11, 12, 13].map((n) => ({ record: fixture.record(n), ctx: { deliveryId: `conformance-${n}` } }));
      const results = await adapterAt(type, fixture, baseUrl, allowPrivate).pushMany(items);
      expect(results).toHaveLength(3);
      expect(results.map((r) => r.ok)).toEqual([true, true, true]);
      const ids = results.map((r) => (r.ok ? r.result.externalId : null));
      expect(ids).toEqual([expect.any(String), expect.any(String), expect.any(String)]);
      expect(new Set(ids).size).toBe(3);
    });
  });
});
