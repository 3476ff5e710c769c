import { readFileSync } from 'node:fs';
import path from 'node:path';
import { validate, compileErrors } from '@readme/openapi-parser';
import { flowInputSchema, flowPatchSchema } from '@crm-push/flows';
import { createAccountSchema } from '../routes/accounts';
import { createDestinationSchema, patchDestinationSchema, validateSettings } from '../routes/destination-input';
import { leadInputSchema, pushSchema } from '../routes/leads';
import { openApiChecker } from '../test-support/openapi-checker';
import { API_ROUTES } from './api-routes';
import { buildOpenApiDocument } from './build-document';

/** Every `METHOD /path` docs/api.md names in code spans (`GET|PATCH /v1/x/:id`, `POST /in/<token>`), in OpenAPI's form. */
function apiMdRoutes(): string[] {
  const text = readFileSync(path.join(__dirname, '../../../../docs/api.md'), 'utf8');
  const routes = new Set<string>();
  for (const [, methods, route] of text.matchAll(/`((?:GET|POST|PATCH|DELETE)(?:\|(?:GET|POST|PATCH|DELETE))*) (\/[^`\s?]*)/g)) {
    for (const method of methods.split('|')) routes.add(`${method} ${route.replace(/[:<]([A-Za-z]+)>?/g, '{$1}')}`);
  }
  return [...routes].sort();
}

/** Routes the API serves that docs/api.md does not name in a code span (yet). */
const NOT_IN_API_MD = ['GET /v1/destinations/{id}/events'];

const doc = buildOpenApiDocument();
const check = openApiChecker(doc);
const operations = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ path, method, op: op as any })));

/** What the route decides about a body: zod's parse, plus the destination type's own checks where the route runs them. */
const accepts = {
  lead: (b: unknown) => leadInputSchema.safeParse(b).success,
  flow: (b: unknown) => flowInputSchema.safeParse(b).success,
  flowPatch: (b: unknown) => flowPatchSchema.safeParse(b).success,
  account: (b: unknown) => createAccountSchema.safeParse(b).success,
  push: (b: unknown) => pushSchema.safeParse(b).success,
  destination: (b: unknown) => {
    const parsed = createDestinationSchema.safeParse(b);
    if (!parsed.success) return false;
    try {
      validateSettings(parsed.data.type, parsed.data);
      return true;
    } catch {
      return false;
    }
  },
  destinationPatch: (b: unknown) => patchDestinationSchema.safeParse(b).success,
};

describe('the OpenAPI document', () => {
  it('validates as OpenAPI 3.1', async () => {
    expect(doc.openapi).toBe('3.1.0');
    const result = await validate(structuredClone(doc) as any);
    if (!result.valid) throw new Error(compileErrors(result));
    expect(result.valid).toBe(true);
  });

  it('lists every route of docs/api.md, and nothing else', () => {
    const listed = operations.map(({ method, path }) => `${method.toUpperCase()} ${path}`);
    expect(apiMdRoutes()).toHaveLength(44);
    expect(listed.sort()).toEqual([...apiMdRoutes(), ...NOT_IN_API_MD].sort());
  });

  it('is built from the route declarations the routers register, each once', () => {
    expect(operations.map(({ method, path }) => `${method} ${path}`).sort()).toEqual(
      API_ROUTES.map((r) => `${r.method} ${r.path.replace(/:([A-Za-z]+)/g, '{$1}')}`).sort(),
    );
    expect(() => buildOpenApiDocument([...API_ROUTES, API_ROUTES[0]])).toThrow(/declared twice/);
  });

  it('declares the bearer schemes and puts each route behind the right one', () => {
    expect(doc.components).toMatchObject({
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer' },
        apiKeyHeader: { type: 'apiKey', in: 'header', name: 'x-api-key' },
        adminToken: { type: 'http', scheme: 'bearer' },
      },
    });
    const security = (path: string, method: string) => (doc.paths[path][method] as any).security;
    expect(security('/v1/accounts', 'post')).toEqual([{ adminToken: [] }]);
    expect(security('/v1/leads', 'post')).toEqual([{ apiKey: [] }, { apiKeyHeader: [] }]);
    expect(security('/crm/push/{leadId}', 'post')).toEqual([{ apiKey: [] }, { apiKeyHeader: [] }]);
    expect(security('/in/{token}', 'post')).toEqual([]);
    expect(security('/admin/queues', 'get')).toEqual([{ adminToken: [] }, { adminSession: [] }]);
    expect(security('/health', 'get')).toEqual([]);
  });

  it('answers every /v1 failure in the error envelope', () => {
    for (const { path, op } of operations.filter((o) => o.path.startsWith('/v1/'))) {
      expect(op.responses['401']).toEqual({ $ref: '#/components/responses/Unauthorized' });
      if (path.includes('{id}')) expect(op.responses['404']).toEqual({ $ref: '#/components/responses/NotFound' });
      if (op.requestBody) expect(op.responses['400']).toEqual({ $ref: '#/components/responses/BadRequest' });
    }
    expect(check.response('POST', '/v1/leads', 400, { error: { code: 'VALIDATION_ERROR', message: 'invalid', details: [] } })).toEqual([]);
    expect(check.response('POST', '/v1/leads', 400, { code: 'VALIDATION_ERROR' })).not.toEqual([]);
  });

  it('takes request bodies from the schemas the routes validate with', () => {
    const body = (path: string, method: string) => (doc.paths[path][method] as any).requestBody.content['application/json'].schema;
    expect(body('/v1/leads', 'post')).toEqual({ $ref: '#/components/schemas/LeadInput' });
    expect(body('/v1/flows', 'post')).toEqual({ $ref: '#/components/schemas/FlowInput' });
    expect(body('/v1/flows/{id}', 'patch')).toEqual({ $ref: '#/components/schemas/FlowPatch' });
    expect(body('/v1/destinations', 'post')).toEqual({ $ref: '#/components/schemas/DestinationInput' });
  });

  it('documents query parameters and the Idempotency-Key header from the route schemas', () => {
    const params = (path: string, method: string) => (doc.paths[path][method] as any).parameters.map((p: any) => `${p.in}:${p.name}${p.required ? '!' : ''}`);
    expect(params('/v1/leads', 'get')).toEqual(['query:limit', 'query:cursor', 'query:status']);
    expect(params('/v1/deliveries', 'get')).toEqual(['query:limit', 'query:cursor', 'query:status', 'query:destinationId']);
    expect(params('/v1/leads', 'post')).toEqual(['header:Idempotency-Key']);
    expect(params('/v1/leads/{id}/push', 'post')).toEqual(['path:id!']);
  });

  // Each sample goes through the route's own validation and through the document's JSON Schema;
  // they must agree. (Checks JSON Schema cannot express, such as Liquid templates, are left out.)
  const flow = {
    name: 'EU',
    when: { all: [{ field: 'data.country', op: 'in', value: ['DE', 'FR'] }] },
    actions: [{ type: 'crm_push', destinationIds: ['d1'] }],
  };
  type Sample = [string, string, string, keyof typeof accepts, unknown];
  const newDestination = (name: string, body: Record<string, unknown>): Sample => [name, 'POST', '/v1/destinations', 'destination', body];
  const salesforce = { name: 'SF', type: 'salesforce', config: { instanceUrl: 'https://acme.my.salesforce.com' }, credentials: { accessToken: 't' } };
  const custom = { name: 'C', type: 'custom', config: { url: 'https://example.com/leads' } };
  const samples: Sample[] = [
    ['a lead', 'POST', '/v1/leads', 'lead', { data: { email: 'a@example.com' }, source: 'web', externalId: 'x1' }],
    ['a lead without data', 'POST', '/v1/leads', 'lead', { source: 'web' }],
    ['a lead with an unknown field', 'POST', '/v1/leads', 'lead', { data: {}, surprise: 1 }],
    ['a lead whose data is a list', 'POST', '/v1/leads', 'lead', { data: [1] }],
    ['an account', 'POST', '/v1/accounts', 'account', { name: 'Acme' }],
    ['an account without a name', 'POST', '/v1/accounts', 'account', {}],
    ['a push to named destinations', 'POST', '/v1/leads/{id}/push', 'push', { destinationIds: ['d1'] }],
    ['a push to an empty list', 'POST', '/v1/leads/{id}/push', 'push', { destinationIds: [] }],
    ['a flow', 'POST', '/v1/flows', 'flow', flow],
    [
      'a flow with nested conditions and every action',
      'POST',
      '/v1/flows',
      'flow',
      {
        ...flow,
        when: { any: [{ all: [{ field: 'source', op: 'exists' }, { any: [{ field: 'data.score', op: 'gt', value: 5 }] }] }] },
        actions: [
          { type: 'slack', webhookUrl: 'https://hooks.slack.com/x', text: 'New lead' },
          { type: 'email', to: ['sales@example.com'], subject: 'Lead', text: 'New lead' },
          { type: 'webhook', url: 'https://example.com/hook', signingSecret: 's3cret' },
        ],
      },
    ],
    ['a flow without actions', 'POST', '/v1/flows', 'flow', { ...flow, actions: [] }],
    ['a flow with an unknown operator', 'POST', '/v1/flows', 'flow', { ...flow, when: { field: 'data.x', op: 'like', value: 1 } }],
    ['a flow with an unknown action', 'POST', '/v1/flows', 'flow', { ...flow, actions: [{ type: 'sms', to: '1' }] }],
    ['a flow email without recipients', 'POST', '/v1/flows', 'flow', { ...flow, actions: [{ type: 'email', to: [], subject: 's', text: 't' }] }],
    ['a flow patch', 'PATCH', '/v1/flows/{id}', 'flowPatch', { enabled: false }],
    ['a flow patch with an unknown field', 'PATCH', '/v1/flows/{id}', 'flowPatch', { colour: 'red' }],
    newDestination('a Salesforce destination', salesforce),
    newDestination('a Salesforce destination without credentials', { name: 'SF', type: 'salesforce', config: salesforce.config }),
    newDestination('a Salesforce destination without instanceUrl', { name: 'SF', type: 'salesforce', credentials: salesforce.credentials }),
    newDestination('a HubSpot destination with its defaults', { name: 'HS', type: 'hubspot', credentials: { accessToken: 't' } }),
    newDestination('a custom destination without credentials', custom),
    newDestination('a custom destination with basic auth and a mapping', {
      ...custom,
      config: { ...custom.config, method: 'PUT' },
      credentials: { type: 'basic', username: 'u', password: 'p' },
      fieldMapping: [{ from: 'email', to: 'contact.email', transform: ['trim', 'lowercase'], required: true }],
    }),
    newDestination('a custom destination with an unknown auth type', { ...custom, credentials: { type: 'oauth' } }),
    newDestination('a custom destination with a mapping rule lacking `to`', { ...custom, fieldMapping: [{ from: 'email' }] }),
    ['a destination of an unknown type', 'POST', '/v1/destinations', 'destination', { name: 'X', type: 'pipedrive', config: {} }],
    ['a destination patch', 'PATCH', '/v1/destinations/{id}', 'destinationPatch', { name: 'Renamed', enabled: false }],
    ['a destination patch changing its type', 'PATCH', '/v1/destinations/{id}', 'destinationPatch', { type: 'hubspot' }],
  ];

  it.each(samples)('agrees with the route on %s', (_name, method, path, route, body) => {
    const problems = check.request(method, path, body);
    expect({ documentAccepts: problems.length === 0, problems }).toMatchObject({ documentAccepts: accepts[route](body) });
  });

  it('keeps a flow condition tree linear in size (its levels are shared, not copied)', () => {
    const size = JSON.stringify(doc).length;
    expect(size).toBeLessThan(150_000);
    expect(doc.components.schemas).toHaveProperty('Condition');
  });
});
