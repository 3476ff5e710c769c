import { createHmac, randomBytes } from 'node:crypto';
import { FakeServer, type FakeRequest, type FakeResponse, type RouteHandler } from '../fake-server';
import { FakeBulkIngest } from './bulk-ingest';
import { validateWrite, type SalesforceRecord } from './record-rules';
import { INVALID_SESSION, NOT_FOUND, sfError, type SaveError } from './salesforce-errors';
import { orgAndUserIds, salesforceId } from './salesforce-ids';
import { defaultCatalog, describeOf, type FakeSObject } from './sobject-catalog';

export interface FakeSalesforceOptions {
  /** A valid access token from the start [sf-access-token]. */
  accessToken?: string;
  /** The refresh token the token endpoint accepts [sf-refresh-token]. */
  refreshToken?: string;
  clientId?: string;
  clientSecret?: string;
  /** Issue a new refresh token on every refresh (and stop accepting the old one) [false]. */
  rotateRefreshTokens?: boolean;
  /** The daily API limit shown in Sforce-Limit-Info and /limits, and enforced: past it every call is 403 REQUEST_LIMIT_EXCEEDED [15000]. */
  apiLimit?: number;
}

const API_VERSIONS = ['50.0', '55.0', '58.0', '59.0', '60.0', '61.0', '62.0'];
const MAX_COLLECTION = 200;

/**
 * A fake Salesforce org that answers as the REST API and OAuth endpoint do, for jsforce to talk to.
 * Route names (for `server.script`): oauth.token, versions, limits, sobject.describe, sobject.create,
 * sobject.upsert, collections.create, collections.upsert, data.unknown.
 */
export class FakeSalesforce {
  readonly server = new FakeServer();
  /** Stored records per sObject name. */
  readonly records = new Map<string, SalesforceRecord[]>();
  /** Known sObjects; tests may add some or flip `createable`. */
  readonly sObjects: Map<string, FakeSObject> = defaultCatalog();
  readonly accessTokens = new Set<string>();
  validRefreshToken: string;
  rotateRefreshTokens: boolean;
  readonly clientId: string;
  readonly clientSecret: string;
  apiUsage = 0;
  apiLimit: number;
  /** Bulk API 2.0 ingest jobs (routes bulk.*), writing through the same rules as the REST API. */
  readonly bulk = new FakeBulkIngest({
    hasObject: (object) => this.sObjects.has(object),
    insert: (object, input) => this.insert(this.sObjects.get(object)!, input),
    upsert: (object, field, value, input) => {
      const result = this.upsertOne(this.sObjects.get(object)!, field, value, input);
      if (!('matches' in result)) return result;
      const ids = result.matches.map((r) => r.Id).join(', ');
      return {
        error: { statusCode: 'DUPLICATE_EXTERNAL_ID', message: `${field}: more than one record found for external id field: [${ids}]`, fields: [field] },
      };
    },
  });

  constructor(opts: FakeSalesforceOptions = {}) {
    this.accessTokens.add(opts.accessToken ?? 'sf-access-token');
    this.validRefreshToken = opts.refreshToken ?? 'sf-refresh-token';
    this.clientId = opts.clientId ?? 'sf-client-id';
    this.clientSecret = opts.clientSecret ?? 'sf-client-secret';
    this.rotateRefreshTokens = opts.rotateRefreshTokens ?? false;
    this.apiLimit = opts.apiLimit ?? 15000;
    this.addRoutes();
  }

  get url(): string {
    return this.server.url;
  }

  start(port = 0): Promise<string> {
    return this.server.start(port);
  }

  stop(): Promise<void> {
    return this.server.stop();
  }

  /** Stored records of one sObject (empty when none). */
  recordsOf(sObject: string): SalesforceRecord[] {
    return this.records.get(sObject) ?? [];
  }

  /** Makes a token invalid, as when a session times out; without an argument, every token. */
  expireAccessToken(token?: string): void {
    if (token === undefined) this.accessTokens.clear();
    else this.accessTokens.delete(token);
  }

  /** Adds a valid access token and returns it. */
  issueAccessToken(): string {
    const token = `00DFk!${randomBytes(12).toString('hex')}`;
    this.accessTokens.add(token);
    return token;
  }

  /** The requests the token endpoint received (each one a refresh attempt). */
  tokenCalls(): number {
    return this.server.callsTo('oauth.token').length;
  }

  private addRoutes(): void {
    const s = this.server;
    s.route('oauth.token', 'POST', '/services/oauth2/token', (req) => this.token(req));
    s.route('versions', 'GET', '/services/data', () => ({ status: 200, body: this.versions() }));
    s.route(
      'limits',
      'GET',
      '/services/data/:version/limits',
      this.api(() => ({ status: 200, body: this.limits() })),
    );
    s.route(
      'sobject.describe',
      'GET',
      '/services/data/:version/sobjects/:object/describe',
      this.api((req) => this.describe(req)),
    );
    s.route(
      'sobject.create',
      'POST',
      '/services/data/:version/sobjects/:object',
      this.api((req) => this.create(req)),
    );
    s.route(
      'sobject.upsert',
      'PATCH',
      '/services/data/:version/sobjects/:object/:field/:value',
      this.api((req) => this.upsert(req)),
    );
    s.route(
      'sobject.update',
      'PATCH',
      '/services/data/:version/sobjects/:object/:id',
      this.api((req) => this.update(req)),
    );
    s.route(
      'collections.create',
      'POST',
      '/services/data/:version/composite/sobjects',
      this.api((req) => this.collectionCreate(req)),
    );
    s.route(
      'collections.upsert',
      'PATCH',
      '/services/data/:version/composite/sobjects/:object/:field',
      this.api((req) => this.collectionUpsert(req)),
    );
    this.bulk.addRoutes(s, (handler) => this.api(handler));
    // Anything else under /services (e.g. an upsert whose value split the path) is Salesforce's 404.
    for (const method of ['GET', 'POST', 'PATCH', 'PUT', 'DELETE']) s.route('data.unknown', method, '/services/:rest*', () => NOT_FOUND());
  }

  /** Version check, Bearer auth and API-usage accounting, as every REST resource does. */
  private api(handler: RouteHandler): RouteHandler {
    return async (req) => {
      const version = /^v(\d+\.\d)$/.exec(req.params.version ?? '')?.[1];
      if (!version || !API_VERSIONS.includes(version)) return NOT_FOUND();
      const token = /^Bearer (.+)$/i.exec(String(req.headers.authorization ?? ''))?.[1];
      if (!token || !this.accessTokens.has(token)) return INVALID_SESSION();
      // Over the org's allowance every call is refused (and, as at Salesforce, not counted).
      if (this.apiUsage >= this.apiLimit) {
        const refused = sfError(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');
        return { ...refused, headers: { ...refused.headers, 'Sforce-Limit-Info': `api-usage=${this.apiUsage}/${this.apiLimit}` } };
      }
      this.apiUsage += 1;
      const answer = await handler(req);
      return { ...answer, headers: { ...answer.headers, 'Sforce-Limit-Info': `api-usage=${this.apiUsage}/${this.apiLimit}` } };
    };
  }

  private token(req: FakeRequest): FakeResponse {
    const form = (req.body ?? {}) as Record<string, string>;
    const oauthError = (error: string, description: string): FakeResponse => ({ status: 400, body: { error, error_description: description } });
    if (form.grant_type !== 'refresh_token') return oauthError('unsupported_grant_type', 'grant type not supported');
    if (form.client_id !== this.clientId) return oauthError('invalid_client_id', 'client identifier invalid');
    if (form.client_secret !== undefined && form.client_secret !== this.clientSecret) return oauthError('invalid_client', 'invalid client credentials');
    if (form.refresh_token !== this.validRefreshToken) return oauthError('invalid_grant', 'expired access/refresh token');
    const accessToken = this.issueAccessToken();
    const { orgId, userId } = orgAndUserIds();
    const id = `${this.url}/id/${orgId}/${userId}`;
    const issuedAt = String(Date.now());
    const body: Record<string, string> = {
      access_token: accessToken,
      signature: createHmac('sha256', this.clientSecret)
        .update(id + issuedAt)
        .digest('base64'),
      scope: 'api refresh_token',
      instance_url: this.url,
      id,
      token_type: 'Bearer',
      issued_at: issuedAt,
    };
    if (this.rotateRefreshTokens) {
      this.validRefreshToken = `5Aep${randomBytes(16).toString('hex')}`;
      body.refresh_token = this.validRefreshToken;
    }
    return { status: 200, body };
  }

  private versions(): unknown[] {
    return API_VERSIONS.map((v) => ({ label: `v${v}`, url: `/services/data/v${v}`, version: v }));
  }

  private limits(): Record<string, unknown> {
    return {
      DailyApiRequests: { Max: this.apiLimit, Remaining: Math.max(0, this.apiLimit - this.apiUsage) },
      DailyBulkApiBatches: { Max: 15000, Remaining: 15000 },
    };
  }

  private describe(req: FakeRequest): FakeResponse {
    const sObject = this.sObjects.get(req.params.object);
    return sObject ? { status: 200, body: describeOf(sObject, req.params.version) } : NOT_FOUND();
  }

  private create(req: FakeRequest): FakeResponse {
    const sObject = this.sObjects.get(req.params.object);
    if (!sObject) return NOT_FOUND();
    if (!isObject(req.body)) return sfError(400, 'JSON_PARSER_ERROR', 'The request body is not a JSON object');
    const saved = this.insert(sObject, req.body);
    if ('error' in saved) return errorAnswer(saved.error);
    return { status: 201, body: { id: saved.id, success: true, errors: [] } };
  }

  private upsert(req: FakeRequest): FakeResponse {
    const sObject = this.sObjects.get(req.params.object);
    const field = sObject?.fields.find((f) => f.name.toLowerCase() === req.params.field.toLowerCase());
    if (!sObject || !field?.externalId) return NOT_FOUND();
    if (!isObject(req.body)) return sfError(400, 'JSON_PARSER_ERROR', 'The request body is not a JSON object');
    // FakeServer decoded the value segment exactly once: this is the value the client meant.
    const result = this.upsertOne(sObject, field.name, req.params.value, req.body);
    if ('matches' in result) {
      const base = `/services/data/${req.params.version}/sobjects/${sObject.name}`;
      return { status: 300, body: result.matches.map((r) => `${base}/${r.Id}`) };
    }
    if ('error' in result) return errorAnswer(result.error);
    return { status: result.created ? 201 : 200, body: { id: result.id, success: true, errors: [], created: result.created } };
  }

  /** PATCH …/sobjects/{object}/{id}: 204 with no body, as Salesforce answers an update. */
  private update(req: FakeRequest): FakeResponse {
    const sObject = this.sObjects.get(req.params.object);
    const record = sObject && this.recordsOf(sObject.name).find((r) => r.Id === req.params.id);
    if (!sObject || !record) return sfError(404, 'NOT_FOUND', 'The requested resource does not exist');
    if (!isObject(req.body)) return sfError(400, 'JSON_PARSER_ERROR', 'The request body is not a JSON object');
    if (!sObject.updateable)
      return errorAnswer({ statusCode: 'INSUFFICIENT_ACCESS_OR_READONLY', message: `You do not have permission to edit ${sObject.name}`, fields: [] });
    const checked = validateWrite(sObject, req.body, false);
    if ('error' in checked) return errorAnswer(checked.error);
    Object.assign(record, checked.fields);
    return { status: 204, body: undefined };
  }

  private collectionCreate(req: FakeRequest): FakeResponse {
    const records = collectionRecords(req.body);
    if (!Array.isArray(records)) return records;
    const results = records.map((input) => {
      const type = (input.attributes as { type?: string } | undefined)?.type;
      const sObject = type ? this.sObjects.get(type) : undefined;
      if (!sObject) return failed({ statusCode: 'INVALID_TYPE', message: `sObject type '${type ?? ''}' is not supported.`, fields: [] });
      const saved = this.insert(sObject, input);
      return 'error' in saved ? failed(saved.error) : { id: saved.id, success: true, errors: [] };
    });
    return { status: 200, body: results };
  }

  private collectionUpsert(req: FakeRequest): FakeResponse {
    const sObject = this.sObjects.get(req.params.object);
    const field = sObject?.fields.find((f) => f.name.toLowerCase() === req.params.field.toLowerCase());
    if (!sObject || !field?.externalId) return NOT_FOUND();
    const records = collectionRecords(req.body);
    if (!Array.isArray(records)) return records;
    const results = records.map((input) => {
      const { [field.name]: value, ...rest } = input;
      if (value === undefined || value === null || value === '') {
        return failed({ statusCode: 'MISSING_ARGUMENT', message: `${field.name} not specified`, fields: [field.name] });
      }
      const result = this.upsertOne(sObject, field.name, String(value), rest);
      if ('matches' in result) {
        const ids = result.matches.map((r) => r.Id).join(', ');
        return failed({
          statusCode: 'DUPLICATE_EXTERNAL_ID',
          message: `${field.name}: more than one record found for external id field: [${ids}]`,
          fields: [field.name],
        });
      }
      if ('error' in result) return failed(result.error);
      return { id: result.id, success: true, errors: [], created: result.created };
    });
    return { status: 200, body: results };
  }

  private insert(sObject: FakeSObject, input: Record<string, unknown>): { id: string } | { error: SaveError } {
    if (!sObject.createable)
      return { error: { statusCode: 'INSUFFICIENT_ACCESS_OR_READONLY', message: `You do not have permission to create ${sObject.name}`, fields: [] } };
    const checked = validateWrite(sObject, input, true);
    if ('error' in checked) return checked;
    const record: SalesforceRecord = { ...checked.fields, Id: salesforceId(sObject.name) };
    // Appended in place: a Bulk job of 10 000 rows into a large org must not copy the org per row.
    const stored = this.records.get(sObject.name) ?? [];
    stored.push(record);
    this.records.set(sObject.name, stored);
    return { id: record.Id };
  }

  private upsertOne(
    sObject: FakeSObject,
    field: string,
    value: string,
    input: Record<string, unknown>,
  ): { id: string; created: boolean } | { error: SaveError } | { matches: SalesforceRecord[] } {
    const matches = this.recordsOf(sObject.name).filter((r) => r[field] === value);
    if (matches.length > 1) return { matches };
    if (matches.length === 0) {
      const saved = this.insert(sObject, { ...input, [field]: value });
      return 'error' in saved ? saved : { id: saved.id, created: true };
    }
    if (!sObject.updateable)
      return { error: { statusCode: 'INSUFFICIENT_ACCESS_OR_READONLY', message: `You do not have permission to edit ${sObject.name}`, fields: [] } };
    const checked = validateWrite(sObject, input, false);
    if ('error' in checked) return checked;
    Object.assign(matches[0], checked.fields);
    return { id: matches[0].Id, created: false };
  }
}

/** Starts nothing: call `start()` (and `stop()` in afterAll). */
export function createFakeSalesforce(opts?: FakeSalesforceOptions): FakeSalesforce {
  return new FakeSalesforce(opts);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function failed(error: SaveError): { success: false; errors: SaveError[] } {
  return { success: false, errors: [error] };
}

/** A single-record write error in the REST shape (errorCode, not statusCode). */
function errorAnswer(error: SaveError): FakeResponse {
  const status = error.statusCode === 'INSUFFICIENT_ACCESS_OR_READONLY' ? 403 : 400;
  return sfError(status, error.statusCode, error.message, error.fields);
}

/** The `records` of a collections body, or the 400 Salesforce answers for a malformed or too large one. */
function collectionRecords(body: unknown): Record<string, unknown>[] | FakeResponse {
  const records = isObject(body) ? body.records : undefined;
  if (!Array.isArray(records) || !records.every(isObject)) return sfError(400, 'JSON_PARSER_ERROR', 'The request body must be {"records": [...]}');
  if (records.length > MAX_COLLECTION)
    return sfError(400, 'EXCEEDED_ID_LIMIT', `record limit reached. cannot submit more than ${MAX_COLLECTION} records into this call`);
  return records;
}
