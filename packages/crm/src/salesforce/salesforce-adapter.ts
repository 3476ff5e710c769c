import { Connection, type DescribeSObjectResult, type Record as SfRecord } from 'jsforce';
import type { AdapterHooks, BulkOptions, CrmAdapter, MappedRecord, PushContext, PushManyResult, PushResult, TestResult } from '../contract';
import { DeliveryError, type NetworkPolicy } from '@crm-push/outbound';
import { bulkLoad } from './bulk-load';
import { COLLECTION_LIMIT, tokenUrlOf, type SalesforceConfig, type SalesforceCredentials } from './config';
import { classifyError, classifySaveError } from './error-taxonomy';
import { GuardedTransport } from './guarded-transport';
import { TokenRefresher } from './token-refresher';

type WireSaveError = { statusCode?: string; errorCode?: string; message?: string; fields?: string[] };
type WireSaveResult = { id?: string; success: boolean; created?: boolean; errors: WireSaveError[] };

/** One Salesforce destination for one job: its own jsforce Connection, transport and refresh budget. */
export class SalesforceAdapter implements CrmAdapter {
  private readonly api: GuardedTransport;
  private readonly conn: Connection;
  private readonly refresher?: TokenRefresher;

  constructor(
    private readonly config: SalesforceConfig,
    credentials: SalesforceCredentials,
    network: NetworkPolicy,
    hooks?: AdapterHooks<SalesforceCredentials>,
  ) {
    this.api = new GuardedTransport(network, config.timeoutMs);
    const token = new GuardedTransport(network, config.timeoutMs);
    if (credentials.refreshToken && credentials.clientId) this.refresher = new TokenRefresher(credentials, hooks, this.api, token);
    const tokenUrl = tokenUrlOf(config, credentials);
    this.conn = new Connection({
      instanceUrl: config.instanceUrl,
      version: config.apiVersion,
      accessToken: credentials.accessToken,
      // Without a refresher no client id is given either: jsforce would install its own uncapped one.
      ...(this.refresher && {
        // jsforce uses loginUrl + /services/oauth2/token unless both service URLs are given.
        oauth2: {
          clientId: credentials.clientId,
          clientSecret: credentials.clientSecret,
          tokenServiceUrl: tokenUrl,
          authzServiceUrl: `${new URL(tokenUrl).origin}/services/oauth2/authorize`,
        },
        refreshFn: this.refresher.refreshFn,
      }),
    });
    this.conn._transport = this.api;
    this.conn.oauth2._transport = token;
  }

  /** Upserts by the external id field when configured; otherwise updates the record an earlier push created, or creates one. */
  async push(record: MappedRecord, ctx: PushContext): Promise<PushResult> {
    const field = this.config.externalIdField;
    if (field) return this.run(() => this.upsert(record, field));
    const known = ctx.recordId;
    return this.run(() => (known ? this.update(known, record) : this.create(record)));
  }

  async pushMany(items: { record: MappedRecord; ctx: PushContext }[]): Promise<PushManyResult[]> {
    const results: PushManyResult[] = new Array(items.length);
    const field = this.config.externalIdField;
    const sendable: number[] = [];
    items.forEach(({ record }, i) => {
      // Without its external id a record cannot be upserted; it fails alone instead of failing the batch.
      if (field && isBlank(record[field])) results[i] = { ok: false, error: missingExternalId(field) };
      else sendable.push(i);
    });
    for (let start = 0; start < sendable.length; start += COLLECTION_LIMIT) {
      const chunk = sendable.slice(start, start + COLLECTION_LIMIT);
      try {
        const saved = await this.run(() => this.saveCollection(chunk.map((i) => items[i].record)));
        chunk.forEach((index, k) => (results[index] = this.toManyResult(saved[k], !!field)));
      } catch (err) {
        // A whole call failed (auth, limit, network): later chunks would fail the same way, so
        // they are not sent and carry the same error.
        for (const index of sendable.slice(start)) results[index] = { ok: false, error: err as DeliveryError };
        break;
      }
    }
    return results;
  }

  /** One Bulk API 2.0 job for all of them (bulk-load.ts); a record without its external id fails alone. */
  async pushBulk(items: { record: MappedRecord; ctx: PushContext }[], opts: BulkOptions = {}): Promise<PushManyResult[]> {
    const field = this.config.externalIdField;
    const results: PushManyResult[] = new Array(items.length);
    const sendable = items.flatMap(({ record }, i) => {
      if (field && isBlank(record[field])) results[i] = { ok: false, error: missingExternalId(field) };
      return results[i] ? [] : [i];
    });
    if (!sendable.length) return results;
    const loaded = await this.run(() =>
      bulkLoad(
        this.conn,
        sendable.map((i) => items[i].record),
        { object: this.config.object, externalIdField: field, pollIntervalMs: opts.pollIntervalMs, pollTimeoutMs: opts.pollTimeoutMs },
      ),
    );
    sendable.forEach((index, k) => (results[index] = loaded[k]));
    return results;
  }

  /** Describes the configured sObject: proves URL, token and API version, and that the user may write it. */
  async test(): Promise<TestResult> {
    const started = performance.now();
    const latencyMs = () => Math.round(performance.now() - started);
    try {
      const describe = await this.run(() => this.conn.describe(this.config.object));
      const statusCode = this.api.lastStatus;
      const problem = this.writeProblem(describe);
      return problem ? { ok: false, latencyMs: latencyMs(), statusCode, error: problem } : { ok: true, latencyMs: latencyMs(), statusCode };
    } catch (err) {
      const error = err as DeliveryError;
      return { ok: false, latencyMs: latencyMs(), statusCode: error.statusCode, error: { code: error.code, message: error.message } };
    }
  }

  private async create(record: MappedRecord): Promise<PushResult> {
    const saved = (await this.conn.sobject(this.config.object).create(record as SfRecord)) as WireSaveResult;
    if (!saved?.success || !saved.id) throw classifySaveError(saved?.errors?.[0]);
    return this.result(saved.id, 'created');
  }

  /** PATCH …/sobjects/{object}/{id}; Salesforce answers 204. */
  private async update(id: string, record: MappedRecord): Promise<PushResult> {
    const saved = (await this.conn.sobject(this.config.object).update({ ...record, Id: id } as SfRecord & { Id: string })) as WireSaveResult;
    if (!saved?.success) throw classifySaveError(saved?.errors?.[0]);
    return this.result(id, 'updated');
  }

  /**
   * PATCH …/sobjects/{object}/{field}/{value}. jsforce puts the value into the path as it is, so a
   * '/' would split the path and a '%' or '+' would be misread: the value is encoded here, once.
   */
  private async upsert(record: MappedRecord, field: string): Promise<PushResult> {
    const { [field]: value, ...body } = record;
    if (isBlank(value)) throw missingExternalId(field);
    const path = `/sobjects/${this.config.object}/${field}/${encodeURIComponent(String(value))}`;
    const saved = (await this.conn.requestPatch(path, body)) as WireSaveResult | undefined;
    if (saved && (!saved.success || !saved.id)) throw classifySaveError(saved.errors?.[0]);
    // v46+ answers 201 created:true or 200 created:false; a 204 (older orgs) means updated.
    return this.result(saved?.id ?? null, saved?.created ? 'created' : 'updated');
  }

  private async saveCollection(records: MappedRecord[]): Promise<WireSaveResult[]> {
    const field = this.config.externalIdField;
    const sobject = this.conn.sobject(this.config.object);
    const options = { allOrNone: false };
    const saved = field
      ? await sobject.upsert(records.map((r) => ({ ...r, [field]: String(r[field]) })) as SfRecord[], field, options)
      : await sobject.create(records as SfRecord[], options);
    if (!Array.isArray(saved) || saved.length !== records.length) {
      throw new DeliveryError({
        code: 'UNEXPECTED_RESPONSE',
        message: 'Salesforce answered a collection call without one result per record',
        retryable: true,
        statusCode: this.api.lastStatus,
      });
    }
    return saved as unknown as WireSaveResult[];
  }

  private toManyResult(saved: WireSaveResult, upsert: boolean): PushManyResult {
    if (!saved.success || !saved.id) return { ok: false, error: classifySaveError(saved.errors?.[0]) };
    return { ok: true, result: this.result(saved.id, upsert && saved.created === false ? 'updated' : 'created') };
  }

  private result(externalId: string | null, action: PushResult['action']): PushResult {
    const limitInfo = this.api.limitInfo;
    return { externalId, action, statusCode: this.api.lastStatus, ...(limitInfo ? { meta: { sforceLimitInfo: limitInfo } } : {}) };
  }

  /** One public call: a fresh refresh budget, and every failure as a DeliveryError in Salesforce's words. */
  private async run<T>(call: () => Promise<T>): Promise<T> {
    this.refresher?.reset();
    try {
      return await call();
    } catch (err) {
      // jsforce rethrows refresh failures as a bare Error("Unable to refresh session…"): use the real one.
      throw this.refresher?.failure ?? classifyError(err, this.api.lastStatus);
    }
  }

  private writeProblem(describe: DescribeSObjectResult): { code: string; message: string } | undefined {
    const { object, externalIdField } = this.config;
    if (!describe.createable) return { code: 'INSUFFICIENT_ACCESS', message: `these credentials cannot create ${object} records` };
    if (!externalIdField) return undefined;
    if (!describe.updateable) return { code: 'INSUFFICIENT_ACCESS', message: `these credentials cannot update ${object} records (needed to upsert)` };
    const field = describe.fields.find((f) => f.name.toLowerCase() === externalIdField.toLowerCase());
    if (!field?.externalId && !field?.idLookup) return { code: 'INVALID_FIELD', message: `${externalIdField} is not an external id field of ${object}` };
    return undefined;
  }
}

function isBlank(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

function missingExternalId(field: string): DeliveryError {
  return new DeliveryError({ code: 'MAPPING_ERROR', message: `the mapped record has no value for the external id field ${field}`, retryable: false });
}
