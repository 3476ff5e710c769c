import { z } from 'zod';
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject, type ZodOpenApiResponseObject } from 'zod-openapi';
import { SESSION_COOKIE } from '../admin/session';
import { COMPONENT_SCHEMAS, NAMED_BODIES } from './doc-schemas';
import * as out from './response-schemas';
import type { ApiRoute, Auth, Reply } from '../http/route';
import { API_ROUTES } from './api-routes';

/**
 * The document is assembled by zod-openapi 5 (createDocument; 6 needs Node 22), which converts
 * with zod's own z.toJSONSchema, so the document shows exactly what `parse` enforces. Chosen over
 * @asteasolutions/zod-to-openapi 9, measured on these schemas: that one walks zod's internals
 * with its own converter, needs zod patched (extendZodWithOpenApi) before any schema of any
 * package is built (zod 4 puts methods on each schema, so `register` fails on the others), and
 * writes a flow's `when` tree out level by level (980 KB and 5 s for eight schemas); here the
 * levels are named parts and the whole document is about 90 KB.
 */

type Json = Record<string, unknown>;

export interface OpenApiDocument {
  openapi: string;
  info: Json;
  tags: { name: string }[];
  paths: Record<string, Record<string, Json>>;
  components: { securitySchemes: Record<string, Json>; responses: Record<string, Json>; schemas: Record<string, Json> };
}

/** The document's sections, in reading order; every route's `tag` is one of them. */
const TAGS = ['Accounts', 'Destinations', 'Leads', 'Deliveries', 'Flows', 'Operations', 'Sources', 'Ingest', 'Seed-compatible'];

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
const SECURITY: Record<Auth, Record<string, string[]>[]> = {
  apiKey: [{ apiKey: [] }, { apiKeyHeader: [] }],
  admin: [{ adminToken: [] }],
  adminPage: [{ adminToken: [] }, { adminSession: [] }],
  none: [],
};

const SECURITY_SCHEMES = {
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
} as const;

const INFO = {
  title: 'CRM Push API',
  version: '1',
  description:
    'Takes leads and delivers each to every CRM an account has connected (Salesforce, HubSpot, custom REST), with retries. JSON in and out; errors are always `{"error": {code, message, details}}`.',
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

const PATH_PARAM = /:([A-Za-z_]+)/g;

/** /v1/leads/:id → /v1/leads/{id} */
function openApiPath(path: string): string {
  return path.replace(PATH_PARAM, '{$1}');
}

function operationId(route: ApiRoute): string {
  const words = route.path
    .split('/')
    .filter((part) => part && part !== 'v1')
    .map((part) => part.replace(/^:/, 'by-'));
  return [route.method, ...words].join('-').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

function requestParams(route: ApiRoute): ZodOpenApiOperationObject['requestParams'] {
  const pathParams = [...route.path.matchAll(PATH_PARAM)].map(([, name]) => [name, z.string()]);
  const params = {
    ...(pathParams.length ? { path: z.object(Object.fromEntries(pathParams)) } : {}),
    ...(route.query ? { query: route.query } : {}),
    ...(route.headers ? { header: z.object(route.headers) } : {}),
  };
  return Object.keys(params).length ? params : undefined;
}

function reply(reply: Reply): ZodOpenApiResponseObject {
  if (reply.contentType) return { description: reply.description, content: { [reply.contentType]: { schema: { type: 'string' } } } };
  if (!reply.schema) return { description: reply.description };
  return { description: reply.description, content: { 'application/json': { schema: reply.schema } } };
}

function operation(route: ApiRoute): ZodOpenApiOperationObject {
  const responses: Record<string, ZodOpenApiResponseObject | { $ref: string }> = {};
  for (const [status, r] of Object.entries(route.responses)) responses[status] = reply(r);
  for (const status of errorStatuses(route)) responses[status] ??= { $ref: `#/components/responses/${ERRORS[status].name}` };
  const body = route.body && (NAMED_BODIES.get(route.body) ?? route.body);
  return {
    operationId: operationId(route),
    tags: [route.tag],
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    security: SECURITY[route.auth],
    requestParams: requestParams(route),
    ...(body ? { requestBody: { required: true, content: { 'application/json': { schema: body } } } } : {}),
    responses,
  };
}

/** zod spells out its date-time regex and the safe-integer range; `format` and `integer` say as much. */
function plainer({ jsonSchema }: { jsonSchema: Json }): void {
  if (jsonSchema.format === 'date-time') delete jsonSchema.pattern;
  if (jsonSchema.maximum === Number.MAX_SAFE_INTEGER) delete jsonSchema.maximum;
  if (jsonSchema.minimum === Number.MIN_SAFE_INTEGER) delete jsonSchema.minimum;
}

const SCHEMA_REF = '#/components/schemas/';

/**
 * zod-openapi renders a registered schema in both directions and, where the two differ (an
 * answer's objects are closed), names the answer's one `<name>Output`. A schema only answers
 * use keeps its own name: its unused request rendering is dropped.
 */
function keepAnswerNames(document: OpenApiDocument): OpenApiDocument {
  const { schemas } = document.components;
  const used = JSON.stringify(document);
  const answerOnly = Object.keys(COMPONENT_SCHEMAS).filter((name) => schemas[`${name}Output`] && !used.includes(`"${SCHEMA_REF}${name}"`));
  for (const name of answerOnly) {
    schemas[name] = schemas[`${name}Output`];
    delete schemas[`${name}Output`];
  }
  let text = JSON.stringify(document);
  for (const name of answerOnly) text = text.replaceAll(`"${SCHEMA_REF}${name}Output"`, `"${SCHEMA_REF}${name}"`);
  return JSON.parse(text) as OpenApiDocument;
}

/**
 * The OpenAPI 3.1 document of the whole API, generated from the route declarations and the zod
 * schemas the routes validate with.
 */
export function buildOpenApiDocument(routes: ApiRoute[] = API_ROUTES): OpenApiDocument {
  const paths: ZodOpenApiPathsObject = {};
  for (const route of routes) {
    if (!TAGS.includes(route.tag)) throw new Error(`${route.method.toUpperCase()} ${route.path}: unknown tag ${route.tag}`);
    const path = (paths[openApiPath(route.path)] ??= {});
    if (path[route.method]) throw new Error(`${route.method.toUpperCase()} ${route.path} is declared twice`);
    path[route.method] = operation(route);
  }
  const responses = Object.fromEntries(
    Object.values(ERRORS).map(({ name, description }) => [name, { description, content: { 'application/json': { schema: out.errorEnvelopeSchema } } }]),
  );
  const document = createDocument(
    {
      openapi: '3.1.0',
      info: INFO,
      tags: TAGS.filter((name) => routes.some((r) => r.tag === name)).map((name) => ({ name })),
      paths,
      components: { securitySchemes: SECURITY_SCHEMES, responses, schemas: COMPONENT_SCHEMAS },
    },
    { override: plainer },
  );
  return keepAnswerNames(document as unknown as OpenApiDocument);
}
