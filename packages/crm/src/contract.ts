import type { DeliveryError, NetworkPolicy } from '@crm-push/outbound';
import type { z } from 'zod';
import type { FieldRule } from './mapping/field-rule';

/** The record an adapter sends: the lead's data after field mapping. */
export type MappedRecord = Record<string, unknown>;

export interface PushContext {
  deliveryId: string;
  /**
   * Stable across the retries of one push, new for each explicit push: `<deliveryId>` then
   * `<deliveryId>-<n>`. @defaultValue deliveryId
   */
  idempotencyKey?: string;
  /** The CRM's id of the record an earlier push of this delivery created, to update it instead of creating another. */
  recordId?: string | null;
}

export interface PushResult {
  /** The id the CRM gave the record (Salesforce Id, HubSpot contact id, custom body's id). */
  externalId: string | null;
  action: 'created' | 'updated';
  statusCode?: number;
  /** Vendor facts worth keeping on the attempt row (rate-limit headers). */
  meta?: Record<string, unknown>;
}

export interface TestResult {
  ok: boolean;
  latencyMs: number;
  statusCode?: number;
  error?: { code: string; message: string };
}

export type PushManyResult = { ok: true; result: PushResult } | { ok: false; error: DeliveryError };

/** One connected destination, built fresh for each job (adapters are never shared between jobs). */
export interface CrmAdapter {
  /** A real call with no side effects that proves URL and credentials. Never throws. */
  test(): Promise<TestResult>;
  /** Pushes one record; throws DeliveryError. */
  push(record: MappedRecord, ctx: PushContext): Promise<PushResult>;
  /** Pushes many records in as few calls as the CRM allows; one result per input, in order. */
  pushMany(items: { record: MappedRecord; ctx: PushContext }[]): Promise<PushManyResult[]>;
  /**
   * Pushes a large backlog through the CRM's bulk API where it has one (Salesforce Bulk API 2.0);
   * one result per input, in order. Absent: pushMany is the way.
   */
  pushBulk?(items: { record: MappedRecord; ctx: PushContext }[], opts?: BulkOptions): Promise<PushManyResult[]>;
}

export interface BulkOptions {
  /** How often a bulk job's state is polled. */
  pollIntervalMs?: number;
  /** How long a bulk job may take before the push fails, retryably. */
  pollTimeoutMs?: number;
}

export interface AdapterHooks<Credentials> {
  /** Called when the CRM rotated a token, so the new one can be stored (encrypted). */
  onCredentialsChanged?(next: Credentials): Promise<void>;
}

export interface AdapterOptions<Config, Credentials> {
  config: Config;
  credentials: Credentials;
  hooks?: AdapterHooks<Credentials>;
  /** Where calls may go: every transport the adapter uses sends through its dispatcher. */
  network: NetworkPolicy;
}

/** Everything the rest of the system knows about one CRM type. One folder implements one. */
export interface CrmModule<Type extends string = string, Config = unknown, Credentials = unknown> {
  type: Type;
  /** How people name it: "HubSpot"; also the prefix of its OpenAPI schema names. */
  displayName: string;
  configSchema: z.ZodType<Config>;
  credentialsSchema: z.ZodType<Credentials>;
  /** Used when a destination is saved without credentials; absent when they are required. */
  defaultCredentials?: Credentials;
  /** Applied when a destination has no fieldMapping of its own. */
  defaultMapping: FieldRule[];
  /**
   * The vendor's batch API: the most records one `pushMany` call sends, and whether a large
   * backlog may go as one bulk job (the adapter then has `pushBulk`). Absent: one record a call.
   */
  batching?: { maxRecords: number; bulk?: boolean };
  /** URLs in config/credentials that must pass the private-network guard. */
  urlsOf(config: Config, credentials: Credentials): string[];
  createAdapter(opts: AdapterOptions<Config, Credentials>): CrmAdapter;
  /** Turns anything the SDK or transport throws into a DeliveryError. */
  classifyError(err: unknown): DeliveryError;
}
