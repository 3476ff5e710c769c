import type { NetworkPolicy } from '@crm-push/outbound';
import type { CrmAdapter, MappedRecord, PushContext, PushManyResult, PushResult, TestResult } from '../contract';
import { classifyHubSpotError } from './classify-error';
import type { HubSpotConfig, HubSpotCredentials } from './config';
import { existingContactId, isStatus } from './existing-contact';
import { createContactsApi, type ContactsApi } from './hubspot-client';
import { keyOf, toProperties } from './properties';
import { pushBatch } from './push-batch';
import { rateLimitMeta } from './rate-limit-headers';

type Properties = Record<string, string>;

/** One HubSpot destination; built fresh per job with its own SDK client. */
export class HubSpotAdapter implements CrmAdapter {
  private readonly api: ContactsApi;

  constructor(
    private readonly config: HubSpotConfig,
    credentials: HubSpotCredentials,
    network: NetworkPolicy,
  ) {
    this.api = createContactsApi(config, credentials, network);
  }

  /**
   * Creates the contact, or updates the one that already has it: a 409 names the existing id.
   * With an `upsertBy` other than email (which create cannot detect), the contact is looked up by
   * that property first. Throws DeliveryError.
   */
  async push(record: MappedRecord, ctx: PushContext): Promise<PushResult> {
    const properties = toProperties(record);
    const key = this.config.upsertBy === 'email' ? undefined : keyOf(properties, this.config.upsertBy);
    try {
      if (key) return await this.updateByKeyOrCreate(key, properties);
      // A contact an earlier push created is updated by its id (it may have been merged or deleted since: then as new).
      if (ctx.recordId) return await this.updateOrCreate(ctx.recordId, properties);
      return await this.createOrUpdate(properties);
    } catch (err) {
      throw classifyHubSpotError(err);
    }
  }

  async pushMany(items: { record: MappedRecord; ctx: PushContext }[]): Promise<PushManyResult[]> {
    return pushBatch(this.api, this.config.upsertBy, items, (id, properties) => this.update(id, properties));
  }

  /** Reads one contact: proves URL, token and the contacts read scope, and changes nothing. */
  async test(): Promise<TestResult> {
    const started = performance.now();
    const latency = () => Math.round(performance.now() - started);
    try {
      const res = await this.api.basicApi.getPageWithHttpInfo(1, undefined, undefined, undefined, undefined, undefined);
      return { ok: true, latencyMs: latency(), statusCode: res.httpStatusCode };
    } catch (err) {
      const e = classifyHubSpotError(err);
      return { ok: false, latencyMs: latency(), statusCode: e.statusCode, error: { code: e.code, message: e.message } };
    }
  }

  private async createOrUpdate(properties: Properties): Promise<PushResult> {
    try {
      const res = await this.api.basicApi.createWithHttpInfo({ properties, associations: [] });
      return resultOf(res, 'created');
    } catch (err) {
      const existingId = existingContactId(err);
      if (existingId) return this.update(existingId, properties);
      // A 409 without the id in its message: fall back to matching on the email itself.
      const email = keyOf(properties, 'email');
      if (isStatus(err, 409) && email) return this.update(email, properties, 'email');
      throw err;
    }
  }

  private async updateOrCreate(id: string, properties: Properties): Promise<PushResult> {
    try {
      return await this.update(id, properties);
    } catch (err) {
      if (isStatus(err, 404)) return this.createOrUpdate(properties);
      throw err;
    }
  }

  private async updateByKeyOrCreate(key: string, properties: Properties): Promise<PushResult> {
    try {
      return await this.update(key, properties, this.config.upsertBy);
    } catch (err) {
      if (isStatus(err, 404)) return this.createOrUpdate(properties);
      throw err;
    }
  }

  private async update(id: string, properties: Properties, idProperty?: string): Promise<PushResult> {
    const res = await this.api.basicApi.updateWithHttpInfo(id, { properties }, idProperty);
    return resultOf(res, 'updated');
  }
}

function resultOf(res: { httpStatusCode: number; headers: unknown; data: { id: string } }, action: PushResult['action']): PushResult {
  return { externalId: res.data.id, action, statusCode: res.httpStatusCode, meta: rateLimitMeta(res.headers) };
}
