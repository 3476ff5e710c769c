import { randomBytes } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import type { FakeRequest, FakeResponse, FakeServer, RouteHandler } from '../fake-server';
import type { SaveError } from './salesforce-errors';
import { NOT_FOUND, sfError } from './salesforce-errors';

/** What a Bulk 2.0 job needs of the org: its write rules, as the REST API applies them. */
export interface BulkWriter {
  insert(object: string, input: Record<string, unknown>): { id: string } | { error: SaveError };
  upsert(object: string, field: string, value: string, input: Record<string, unknown>): { id: string; created: boolean } | { error: SaveError };
  hasObject(object: string): boolean;
}

type JobState = 'Open' | 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Failed' | 'Aborted';

interface BulkJob {
  id: string;
  object: string;
  operation: 'insert' | 'upsert';
  externalIdFieldName?: string;
  state: JobState;
  csv: string[];
  successful: Record<string, string>[];
  failed: Record<string, string>[];
  createdDate: string;
}

/** jsforce writes null values as this in its CSV (`nullValue` of its converter). */
const NULL_VALUE = '#N/A';

/**
 * Bulk API 2.0 ingest jobs, as Salesforce runs them: create (Open) → upload CSV → UploadComplete →
 * InProgress (seen once by a poll) → JobComplete, with successful and failed results as CSV
 * (`sf__Id`, `sf__Created` / `sf__Error`, then the input columns). Each call is a REST call and
 * counts against the org's API usage through `api`.
 */
export class FakeBulkIngest {
  readonly jobs = new Map<string, BulkJob>();

  constructor(private readonly writer: BulkWriter) {}

  /** Jobs that reached JobComplete. */
  completedJobs(): BulkJob[] {
    return [...this.jobs.values()].filter((j) => j.state === 'JobComplete');
  }

  addRoutes(server: FakeServer, api: (handler: RouteHandler) => RouteHandler): void {
    const base = '/services/data/:version/jobs/ingest';
    server.route(
      'bulk.create',
      'POST',
      base,
      api((req) => this.create(req)),
    );
    server.route(
      'bulk.upload',
      'PUT',
      `${base}/:id/batches`,
      api((req) => this.upload(req)),
    );
    server.route(
      'bulk.state',
      'PATCH',
      `${base}/:id`,
      api((req) => this.setState(req)),
    );
    server.route(
      'bulk.info',
      'GET',
      `${base}/:id`,
      api((req) => this.info(req)),
    );
    server.route(
      'bulk.delete',
      'DELETE',
      `${base}/:id`,
      api((req) => this.remove(req)),
    );
    server.route(
      'bulk.results',
      'GET',
      `${base}/:id/:kind`,
      api((req) => this.results(req)),
    );
  }

  private create(req: FakeRequest): FakeResponse {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const operation = body.operation;
    if (typeof body.object !== 'string' || !this.writer.hasObject(body.object))
      return sfError(400, 'INVALIDJOB', `InvalidJob : Invalid object: ${String(body.object)}`);
    if (operation !== 'insert' && operation !== 'upsert') return sfError(400, 'INVALIDJOB', `InvalidJob : Invalid operation: ${String(operation)}`);
    if (operation === 'upsert' && typeof body.externalIdFieldName !== 'string') return sfError(400, 'INVALIDJOB', 'InvalidJob : External ID was blank');
    const job: BulkJob = {
      id: `750${randomBytes(6).toString('hex').slice(0, 12)}AAA`,
      object: body.object,
      operation,
      externalIdFieldName: body.externalIdFieldName as string | undefined,
      state: 'Open',
      csv: [],
      successful: [],
      failed: [],
      createdDate: new Date().toISOString(),
    };
    this.jobs.set(job.id, job);
    return { status: 200, body: this.view(job) };
  }

  private upload(req: FakeRequest): FakeResponse {
    const job = this.jobs.get(req.params.id);
    if (!job) return NOT_FOUND();
    if (job.state !== 'Open') return sfError(409, 'INVALIDJOBSTATE', `Job ${job.id} is not open for uploads`);
    if (!String(req.headers['content-type'] ?? '').includes('text/csv')) return sfError(400, 'INVALIDREQUEST', 'Content-Type must be text/csv');
    job.csv.push(req.rawBody);
    return { status: 201 };
  }

  private setState(req: FakeRequest): FakeResponse {
    const job = this.jobs.get(req.params.id);
    if (!job) return NOT_FOUND();
    const state = (req.body as { state?: string } | undefined)?.state;
    if (state === 'Aborted') job.state = 'Aborted';
    else if (state === 'UploadComplete' && job.state === 'Open') {
      job.state = 'UploadComplete';
      this.process(job);
    } else return sfError(400, 'INVALIDJOBSTATE', `Cannot move job ${job.id} from ${job.state} to ${String(state)}`);
    return { status: 200, body: this.view(job) };
  }

  /** A poll sees InProgress once, then the finished state: jsforce's polling loop is exercised. */
  private info(req: FakeRequest): FakeResponse {
    const job = this.jobs.get(req.params.id);
    if (!job) return NOT_FOUND();
    const view = this.view(job);
    if (job.state === 'UploadComplete') job.state = 'InProgress';
    else if (job.state === 'InProgress') job.state = 'JobComplete';
    return { status: 200, body: view };
  }

  private remove(req: FakeRequest): FakeResponse {
    return this.jobs.delete(req.params.id) ? { status: 204 } : NOT_FOUND();
  }

  private results(req: FakeRequest): FakeResponse {
    const job = this.jobs.get(req.params.id);
    if (!job) return NOT_FOUND();
    if (job.state !== 'JobComplete') return sfError(400, 'INVALIDJOBSTATE', `Job ${job.id} is not complete`);
    const rows = { successfulResults: job.successful, failedResults: job.failed, unprocessedrecords: [] as Record<string, string>[] }[req.params.kind];
    if (!rows) return NOT_FOUND();
    const columns = { successfulResults: ['sf__Id', 'sf__Created'], failedResults: ['sf__Id', 'sf__Error'], unprocessedrecords: [] }[req.params.kind]!;
    const inputColumns = [...new Set(job.successful.concat(job.failed).flatMap((r) => Object.keys(r)))].filter((c) => !c.startsWith('sf__'));
    return { status: 200, body: stringify(rows, { header: true, columns: [...columns, ...inputColumns] }), headers: { 'content-type': 'text/csv' } };
  }

  /** Writes every uploaded row through the org's own rules; a refused row lands in failedResults. */
  private process(job: BulkJob): void {
    const rows = job.csv.flatMap((text) => parse(text, { columns: true, skip_empty_lines: true }) as Record<string, string>[]);
    for (const row of rows) {
      const input = Object.fromEntries(Object.entries(row).filter(([, v]) => v !== '' && v !== NULL_VALUE));
      const result = job.operation === 'upsert' ? this.upsertRow(job, input) : this.writer.insert(job.object, input);
      if ('error' in result)
        job.failed.push({ sf__Id: '', sf__Error: `${result.error.statusCode}:${result.error.message}:${result.error.fields.join(',')} --`, ...row });
      else job.successful.push({ sf__Id: result.id, sf__Created: String('created' in result ? result.created : true), ...row });
    }
  }

  private upsertRow(job: BulkJob, input: Record<string, unknown>) {
    const field = job.externalIdFieldName!;
    const { [field]: value, ...rest } = input;
    if (value === undefined) return { error: { statusCode: 'MISSING_ARGUMENT', message: `${field} not specified`, fields: [field] } };
    return this.writer.upsert(job.object, field, String(value), rest);
  }

  private view(job: BulkJob) {
    return {
      id: job.id,
      operation: job.operation,
      object: job.object,
      createdById: '005000000000001AAA',
      createdDate: job.createdDate,
      systemModstamp: new Date().toISOString(),
      state: job.state,
      externalIdFieldName: job.externalIdFieldName,
      concurrencyMode: 'Parallel',
      contentType: 'CSV',
      apiVersion: 62.0,
      lineEnding: 'LF',
      columnDelimiter: 'COMMA',
      numberRecordsProcessed: job.successful.length + job.failed.length,
      numberRecordsFailed: job.failed.length,
    };
  }
}
