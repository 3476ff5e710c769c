import { conditionSchema, flowInputSchema, flowPatchSchema } from '@crm-push/flows';
import { CRM_TYPES, crmModule, fieldRuleSchema } from '@crm-push/crm';
import type { z } from 'zod';
import { SESSION_COOKIE } from '../admin/session';
import { leadInputSchema } from '../routes/leads';
import { destinationCreateBodies, destinationCreateBody, destinationPatchBody } from './destination-bodies';
import * as out from './response-schemas';
import { API_ROUTES, type ApiRoute, type Auth, type Reply } from './route-catalog';
import { SchemaComponents, type Io, type JsonSchema } from './schema-components';

export interface OpenApiDocument {
  openapi: string;
  info: JsonSchema;
  tags: { name: string }[];
  paths: Record<string, Record<string, JsonSchema>>;
  components: { securitySchemes: Record<string, JsonSchema>; responses: Record<string, JsonSchema>; schemas: Record<string, JsonSchema> };
}

/** Schemas worth a name in the document, with the direction they are read in. */
function namedSchemas(): Record<string, [z.ZodType, Io]> {
  const perType = CRM_TYPES.flatMap((type): [string, [z.ZodType, Io]][] => {
    const crm = crmModule(type);
    return [
      [`${crm.displayName}DestinationInput`, [destinationCreateBodies[type], 'input']],
      [`${crm.displayName}Config`, [crm.configSchema, 'input']],
      [`${crm.displayName}Credentials`, [crm.credentialsSchema, 'input']],
    ];
  });
  return {
    Error: [out.errorEnvelopeSchema, 'output'],
    LeadInput: [leadInputSchema, 'input'],
    DestinationInput: [destinationCreateBody, 'input'],
    DestinationPatch: [destinationPatchBody, 'input'],
    ...Object.fromEntries(perType),
    FieldRule: [fieldRuleSchema, 'input'],
    FlowInput: [flowInputSchema, 'input'],
    FlowPatch: [flowPatchSchema, 'input'],
    Condition: [conditionSchema, 'input'],
    Account: [out.accountCreatedSchema, 'output'],
    ApiKey: [out.apiKeySchema, 'output'],
    Destination: [out.destinationSchema, 'output'],
    ConnectionTest: [out.connectionTestSchema, 'output'],
    LeadAccepted: [out.leadAcceptedSchema, 'output'],
    Lead: [out.leadSchema, 'output'],
    CrmDelivery: [out.crmDeliverySchema, 'output'],
    ActionDelivery: [out.actionDeliverySchema, 'output'],
    Attempt: [out.attemptSchema, 'output'],
    DeliveryDetail: [out.deliveryDetailSchema, 'output'],
    Flow: [out.flowSchema, 'output'],
    Readiness: [out.readinessSchema, 'output'],
  };
}

/** The error answers every route of a kind can give, each in the error envelope. */
const ERRORS: Record<number, { name: string; description: string }> = {
  400: { name: 'BadRequest', description: 'Invalid input: `details` names each bad field.' },
  401: { name: 'Unauthorized', description: 'Missing or invalid bearer token (or `x-api-key`).' },
  403: {
    name: 'Forbidden',
    description: 'The API key is valid but its scope does not allow this (`INSUFFICIENT_SCOPE`: an `ingest` key may only POST /v1/leads).',
  },
  404: { name: 'NotFound', description: "Unknown, or another account's (never revealed)." },
  409: { name: 'Conflict', description: 'The resource is not in a state that allows this.' },
  413: { name: 'PayloadTooLarge', description: 'The body exceeds the size limit.' },
  415: { name: 'UnsupportedMediaType', description: 'The body is not JSON.' },
  429: {
    name: 'TooManyRequests',
    description:
      "Rate limited, with `Retry-After`: the account's request budget (`RATE_LIMIT_PER_MINUTE`), or `TOO_MANY_AUTH_FAILURES` when this client address sent too many wrong keys or tokens (counted by every api process).",
  },
  503: { name: 'ServiceUnavailable', description: 'A dependency is down; nothing was accepted.' },
};

/** Security requirements: any one entry suffices. */
const SECURITY: Record<Auth, JsonSchema[]> = {
  apiKey: [{ apiKey: [] }, { apiKeyHeader: [] }],
  admin: [{ adminToken: [] }],
  adminPage: [{ adminToken: [] }, { adminSession: [] }],
  none: [],
};

function errorStatuses(route: ApiRoute): number[] {
  const statuses = new Set(route.errors ?? []);
  if (route.body || route.query || route.headers) statuses.add(400);
  if (route.auth !== 'none') [401, 429].forEach((s) => statuses.add(s));
  if (route.auth === 'apiKey') statuses.add(403);
  if (route.path.includes('/:')) statuses.add(404);
  if (route.body) [413, 415].forEach((s) => statuses.add(s));
  if (route.path.startsWith('/v1/') || route.path.startsWith('/crm/')) statuses.add(503);
  return [...statuses].sort();
}

/** /v1/leads/:id → /v1/leads/{id} */
function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z_]+)/g, '{$1}');
}

function operationId(route: ApiRoute): string {
  const words = route.path
    .split('/')
    .filter((part) => part && part !== 'v1')
    .map((part) => part.replace(/^:/, 'by-'));
  return [route.method, ...words].join('-').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

function parameters(route: ApiRoute, schemas: SchemaComponents, opId: string): JsonSchema[] {
  const params: JsonSchema[] = [...route.path.matchAll(/:([A-Za-z_]+)/g)].map(([, name]) => ({
    name,
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  if (route.query) {
    const query = schemas.inline(`${opId}Query`, route.query, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
    for (const [name, schema] of Object.entries(query.properties ?? {})) {
      params.push({ name, in: 'query', required: query.required?.includes(name) ?? false, schema });
    }
  }
  for (const [name, schema] of Object.entries(route.headers ?? {})) {
    params.push({ name, in: 'header', required: !schema.safeParse(undefined).success, schema: schemas.inline(`${opId}Header`, schema, 'input') });
  }
  return params;
}

function reply(reply: Reply, schemas: SchemaComponents, owner: string): JsonSchema {
  if (reply.contentType) return { description: reply.description, content: { [reply.contentType]: { schema: { type: 'string' } } } };
  if (!reply.schema) return { description: reply.description };
  return { description: reply.description, content: { 'application/json': { schema: schemas.inline(owner, reply.schema, 'output') } } };
}

function operation(route: ApiRoute, schemas: SchemaComponents): JsonSchema {
  const opId = operationId(route);
  const responses: Record<string, JsonSchema> = {};
  for (const [status, r] of Object.entries(route.responses)) responses[status] = reply(r, schemas, `${opId}Response${status}`);
  for (const status of errorStatuses(route)) responses[status] ??= { $ref: `#/components/responses/${ERRORS[status].name}` };
  const params = parameters(route, schemas, opId);
  return {
    operationId: opId,
    tags: [route.tag],
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    security: SECURITY[route.auth],
    ...(params.length ? { parameters: params } : {}),
    ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: schemas.inline(`${opId}Body`, route.body, 'input') } } } } : {}),
    responses,
  };
}

/**
 * The OpenAPI 3.1 document of the whole API, generated from the route catalog and the zod
 * schemas the routes validate with.
 */
export function buildOpenApiDocument(routes: ApiRoute[] = API_ROUTES): OpenApiDocument {
  const schemas = new SchemaComponents(namedSchemas());
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) {
    const path = (paths[openApiPath(route.path)] ??= {});
    if (path[route.method]) throw new Error(`${route.method.toUpperCase()} ${route.path} is in the catalog twice`);
    path[route.method] = operation(route, schemas);
  }
  const responses = Object.fromEntries(
    Object.values(ERRORS).map(({ name, description }) => [name, { description, content: { 'application/json': { schema: schemas.ref('Error') } } }]),
  );
  return {
    openapi: '3.1.0',
    info: {
      title: 'CRM Push API',
      version: '1',
      description:
        'Takes leads and delivers each to every CRM an account has connected (Salesforce, HubSpot, custom REST), with retries. JSON in and out; errors are always `{"error": {code, message, details}}`.',
    },
    tags: [...new Set(routes.map((r) => r.tag))].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: {
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          description: "An account's API key (`cpk_...`) as a bearer: scopes every /v1 and /crm call to that account.",
        },
        apiKeyHeader: {
          type: 'apiKey',
          in: 'header',
          name: 'x-api-key',
          description: 'The same API key in an `x-api-key` header, wherever the bearer is accepted.',
        },
        adminToken: { type: 'http', scheme: 'bearer', description: 'The ADMIN_TOKEN of the deployment.' },
        adminSession: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: 'Set by logging in at /admin/login with the admin token.' },
      },
      responses,
      schemas: schemas.reachableFrom({ paths, responses }),
    },
  };
}
