import { createCustomSink, type CustomSink, TEST_ADMIN_TOKEN, waitFor } from '@crm-push/testing';
import { expressRoutes } from '../test-support/express-routes';
import { openApiChecker } from '../test-support/openapi-checker';
import { startSystem, type TestSystem } from '../test-support/system';
import { API_ROUTES } from './api-routes';
import { buildOpenApiDocument } from './build-document';

describe('the OpenAPI document, served and held against the running api', () => {
  let system: TestSystem;
  let sink: CustomSink;
  const doc = buildOpenApiDocument();
  const check = openApiChecker(doc);

  beforeAll(async () => {
    system = await startSystem();
    sink = createCustomSink();
    await sink.start();
  });
  afterAll(async () => {
    await system?.stop();
    await sink?.stop();
  });

  it('documents every route Express serves, and serves every route it documents', () => {
    // The panel's own pages and calls (session cookie, HTML) and the document with its viewer are not the API.
    const notApi = /^(OPTIONS |GET \/$|GET \/openapi\.json$|GET \/docs(\/|$)|(GET|POST) \/admin\/(?!queues$))/;
    const samePath = (path: string) => path.replace(/\{[^}]+\}/g, '{}');
    const served = expressRoutes(system.app).filter((route) => !notApi.test(route));
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops as object).map((m) => `${m.toUpperCase()} ${path}`));
    const isDocumented = (route: string) => {
      const [method, path] = route.split(' ');
      return documented.some((d) => samePath(d.split(' ')[1]) === samePath(path) && (method === 'ALL' || d.split(' ')[0] === method));
    };
    const isServed = (route: string) => {
      const [method, path] = route.split(' ');
      return served.some((s) => samePath(s.split(' ')[1]) === samePath(path) && (s.startsWith('ALL ') || s.split(' ')[0] === method));
    };
    expect({ undocumented: served.filter((r) => !isDocumented(r)), unserved: documented.filter((r) => !isServed(r)) }).toEqual({
      undocumented: [],
      unserved: [],
    });
  });

  it('answers each route as its declaration says: 401 without credentials where it names a key or token', async () => {
    const answers = await Promise.all(
      API_ROUTES.map(async (route) => {
        const res = await system.call(route.method.toUpperCase(), route.path.replace(/:[A-Za-z]+/g, 'unknown'), { headers: { accept: 'application/json' } });
        const refused = res.status === 401 && (res.body as { error?: { code?: string } })?.error?.code === 'UNAUTHORIZED';
        return `${route.method.toUpperCase()} ${route.path} ${route.auth}: ${refused ? 'refused' : 'answered'}`;
      }),
    );
    const expected = API_ROUTES.map((r) => `${r.method.toUpperCase()} ${r.path} ${r.auth}: ${r.auth === 'none' ? 'answered' : 'refused'}`);
    expect(answers).toEqual(expected);
  });

  it('serves /openapi.json without auth', async () => {
    const res = await fetch(`${system.url}/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual(JSON.parse(JSON.stringify(doc)));
  });

  it('serves /docs as an HTML page whose stylesheet and scripts load from the api itself', async () => {
    const page = await fetch(`${system.url}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(assets).toEqual(['/docs/assets/swagger-ui.css', '/docs/assets/favicon-32x32.png', '/docs/assets/swagger-ui-bundle.js', '/docs/init.js']);
    const types: Record<string, RegExp> = { css: /^text\/css/, png: /^image\/png/, js: /javascript/ };
    for (const asset of assets) {
      const res = await fetch(system.url + asset);
      expect({ asset, status: res.status }).toEqual({ asset, status: 200 });
      expect(res.headers.get('content-type')).toMatch(types[asset.split('.').pop()!]);
      expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(asset.endsWith('bundle.js') ? 100_000 : 20);
    }
    expect(await (await fetch(`${system.url}/docs/init.js`)).text()).toContain("url: '/openapi.json'");
  });

  it('answers a missing docs asset with the 404 envelope', async () => {
    const res = await system.call('GET', '/docs/assets/nope.js');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
  });

  it('matches every answer the api gives along a lead, a destination and a flow', async () => {
    /** Calls the api and checks the answer against the document's schema for that route and status. */
    const call = async (method: string, template: string, path: string, opts: { key?: string; body?: unknown; headers?: Record<string, string> } = {}) => {
      const res = await system.call(method, path, opts);
      expect({ route: `${method} ${template}`, status: res.status, problems: check.response(method, template, res.status, res.body) }).toEqual({
        route: `${method} ${template}`,
        status: res.status,
        problems: [],
      });
      return res;
    };

    const account = await call('POST', '/v1/accounts', '/v1/accounts', { key: TEST_ADMIN_TOKEN, body: { name: 'Docs' } });
    expect(account.status).toBe(201);
    const key = account.body.apiKey as string;

    const destination = await call('POST', '/v1/destinations', '/v1/destinations', {
      key,
      body: { name: 'sink', type: 'custom', config: { url: `${sink.url}/leads`, timeoutMs: 2000 } },
    });
    expect(destination.status).toBe(201);
    const destinationId = destination.body.id as string;
    await call('GET', '/v1/destinations', '/v1/destinations', { key });
    await call('GET', '/v1/destinations/{id}', `/v1/destinations/${destinationId}`, { key });
    await call('PATCH', '/v1/destinations/{id}', `/v1/destinations/${destinationId}`, {
      key,
      body: { fieldMapping: [{ from: 'email', to: 'email', transform: ['lowercase'] }] },
    });
    expect((await call('POST', '/v1/destinations/{id}/test', `/v1/destinations/${destinationId}/test`, { key })).body.ok).toBe(true);

    const flow = await call('POST', '/v1/flows', '/v1/flows', {
      key,
      body: {
        name: 'all leads to a webhook',
        when: { field: 'data.email', op: 'exists' },
        actions: [{ type: 'webhook', url: `${sink.url}/leads`, signingSecret: 'docs-secret' }],
      },
    });
    expect(flow.status).toBe(201);
    const flowId = flow.body.id as string;
    await call('GET', '/v1/flows', '/v1/flows', { key });
    await call('PATCH', '/v1/flows/{id}', `/v1/flows/${flowId}`, { key, body: { name: 'renamed' } });

    const accepted = await call('POST', '/v1/leads', '/v1/leads', {
      key,
      body: { data: { email: 'Ada@Example.com' }, source: 'docs' },
      headers: { 'idempotency-key': 'docs-1' },
    });
    expect(accepted.status).toBe(202);
    const leadId = accepted.body.id as string;
    const repeat = await call('POST', '/v1/leads', '/v1/leads', {
      key,
      body: { data: { email: 'Ada@Example.com' } },
      headers: { 'idempotency-key': 'docs-1' },
    });
    expect(repeat.status).toBe(200);

    let last: unknown;
    const lead = await waitFor('the lead and its webhook action to succeed', async () => {
      const { body } = await system.call('GET', `/v1/leads/${leadId}`, { key });
      last = body;
      return [...body.deliveries, ...body.actions].every((d: { status: string }) => d.status === 'succeeded') && body.actions.length ? body : undefined;
    }).catch((err) => {
      throw new Error(`${err.message}; the lead: ${JSON.stringify(last)}`);
    });
    await call('GET', '/v1/leads/{id}', `/v1/leads/${leadId}`, { key });
    await call('GET', '/v1/leads', '/v1/leads?limit=1', { key });

    const deliveries = await call('GET', '/v1/deliveries', '/v1/deliveries', { key });
    expect(deliveries.body.items.map((d: { type?: string }) => d.type ?? 'crm').sort()).toEqual(['crm', 'webhook']);
    await call('GET', '/v1/deliveries/{id}', `/v1/deliveries/${lead.deliveries[0].id}`, { key });
    await call('GET', '/v1/deliveries/{id}', `/v1/deliveries/${lead.actions[0].id}`, { key });
    expect((await call('POST', '/v1/deliveries/{id}/retry', `/v1/deliveries/${lead.deliveries[0].id}/retry`, { key })).status).toBe(409);

    expect((await call('POST', '/v1/leads/{id}/push', `/v1/leads/${leadId}/push`, { key, body: {} })).status).toBe(202);
    expect((await call('POST', '/v1/leads/push-pending', '/v1/leads/push-pending', { key })).status).toBe(202);

    // Failures, each in the envelope the document points to.
    expect((await call('GET', '/v1/leads/{id}', '/v1/leads/0190a000-0000-7000-8000-000000000000', { key })).status).toBe(404);
    expect((await call('GET', '/v1/leads', '/v1/leads')).status).toBe(401);
    expect((await call('POST', '/v1/leads', '/v1/leads', { key, body: { data: 'no' } })).status).toBe(400);
    expect((await call('POST', '/v1/leads', '/v1/leads', { key, body: 'data=1', headers: { 'content-type': 'text/plain' } })).status).toBe(415);

    expect((await call('DELETE', '/v1/flows/{id}', `/v1/flows/${flowId}`, { key })).status).toBe(204);
    expect((await call('DELETE', '/v1/destinations/{id}', `/v1/destinations/${destinationId}`, { key })).status).toBe(204);
    await call('GET', '/health', '/health');
    await call('GET', '/ready', '/ready');
  });
});
