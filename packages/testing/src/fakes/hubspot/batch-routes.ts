import type { FakeRequest, FakeResponse } from '../fake-server';
import type { ContactStore, FakeContact } from './contact-store';
import { asObject } from './contact-routes';
import { hubspotError, validationMessage } from './hubspot-answers';

/** HubSpot's batch endpoints take at most 100 inputs per call. */
const MAX_INPUTS = 100;

interface BatchInput {
  id?: string;
  idProperty?: string;
  objectWriteTraceId?: string;
  properties?: Record<string, unknown>;
}

type Outcome = { result: Record<string, unknown> } | { error: Record<string, unknown> };

/** `POST /crm/v3/objects/contacts/batch/create`: 201, or 207 with per-record errors. */
export function batchCreate(store: ContactStore, req: FakeRequest): FakeResponse {
  return batch(req, 201, (input) => {
    const properties = input.properties ?? {};
    const invalid = invalidInput(store, input, properties);
    if (invalid) return invalid;
    const existing = properties.email ? store.findBy('email', String(properties.email)) : undefined;
    if (existing) return { error: recordError(input, 'CONFLICT', `Contact already exists. Existing ID: ${existing.id}`) };
    return { result: withTrace(store.create(properties), input) };
  });
}

/**
 * `POST /crm/v3/objects/contacts/batch/upsert`: each input is matched on `idProperty` (email, or any
 * unique property) and updated, or created with that value; `new` tells which. 200, or 207 with errors.
 */
export function batchUpsert(store: ContactStore, req: FakeRequest): FakeResponse {
  return batch(req, 200, (input) => {
    const properties = input.properties ?? {};
    if (!input.id || !input.idProperty) return { error: recordError(input, 'VALIDATION_ERROR', 'id and idProperty are required') };
    const invalid = invalidInput(store, input, properties);
    if (invalid) return invalid;
    const existing = store.findBy(input.idProperty, input.id);
    if (existing) return { result: { ...withTrace(store.update(existing, properties), input), new: false } };
    const created = store.create({ ...properties, [input.idProperty]: input.id });
    return { result: { ...withTrace(created, input), new: true } };
  });
}

function batch(req: FakeRequest, okStatus: number, each: (input: BatchInput) => Outcome): FakeResponse {
  const inputs: unknown = req.body?.inputs;
  if (!Array.isArray(inputs)) return hubspotError(400, 'VALIDATION_ERROR', 'Invalid input JSON: "inputs" is required');
  if (inputs.length > MAX_INPUTS) {
    return hubspotError(400, 'VALIDATION_ERROR', `Too many inputs: ${inputs.length}, maximum ${MAX_INPUTS}`);
  }
  const duplicates = duplicateIds(inputs as BatchInput[]);
  if (duplicates.length) return hubspotError(400, 'VALIDATION_ERROR', `Duplicate IDs found in batch input: ${JSON.stringify(duplicates)}`);
  const startedAt = new Date().toISOString();
  const outcomes = (inputs as BatchInput[]).map(each);
  const results = outcomes.flatMap((o) => ('result' in o ? [o.result] : []));
  const errors = outcomes.flatMap((o) => ('error' in o ? [o.error] : []));
  const body = { status: 'COMPLETE', results, startedAt, completedAt: new Date().toISOString() };
  if (!errors.length) return { status: okStatus, body };
  return { status: 207, body: { ...body, numErrors: errors.length, errors } };
}

/** Upsert ids that appear twice (emails compared case-insensitively), which HubSpot refuses. */
function duplicateIds(inputs: BatchInput[]): string[] {
  const seen = new Set<string>();
  const dupes = new Set<string>();
  for (const { id, idProperty } of inputs) {
    if (!id) continue;
    const key = idProperty === 'email' ? id.toLowerCase() : id;
    if (seen.has(key)) dupes.add(key);
    seen.add(key);
  }
  return [...dupes];
}

function invalidInput(store: ContactStore, input: BatchInput, properties: Record<string, unknown>): Outcome | undefined {
  const problems = store.validate(properties);
  return problems.length ? { error: recordError(input, 'VALIDATION_ERROR', validationMessage(problems)) } : undefined;
}

/**
 * A StandardError for one input. Its `context` names the input by `objectWriteTraceId` and by
 * upsert `id`, so a caller can match errors to what it sent.
 */
function recordError(input: BatchInput, category: string, message: string): Record<string, unknown> {
  const context: Record<string, string[]> = {};
  if (input.objectWriteTraceId) context.objectWriteTraceId = [input.objectWriteTraceId];
  if (input.id) context.ids = [input.id];
  return { status: 'error', category, message, context, errors: [], links: {} };
}

function withTrace(contact: FakeContact, input: BatchInput): Record<string, unknown> {
  const object = asObject(contact);
  return input.objectWriteTraceId ? { ...object, objectWriteTraceId: input.objectWriteTraceId } : object;
}
