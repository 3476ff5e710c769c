import { v7 as uuidv7 } from 'uuid';
import type { SourceRequest } from '../contract';
import { sourceModule } from '../registry';
import { SourceError } from '../source-error';
import type { IntakeDeps } from './intake-deps';
import { openSource, recordCall, type CallRecord, type SourceRow } from './source-store';
import { storeLeads } from './store-leads';

/** How /in/<token> answers; the HTTP layer only writes it out. */
export interface CallAnswer {
  status: number;
  headers?: Record<string, string>;
  json?: unknown;
  text?: { contentType: string; body: string };
}

const errorAnswer = (err: { status: number; code: string; message: string }, headers?: Record<string, string>): CallAnswer => ({
  status: err.status,
  headers,
  json: { error: { code: err.code, message: err.message } },
});

/**
 * One call to a source's ingest URL: the module verifies and parses it, leads are stored (or
 * their fetches queued), and the call is recorded in the source's events and counters. A
 * refused call stores no lead and answers the error envelope.
 */
export async function receiveCall(deps: IntakeDeps, source: SourceRow, req: SourceRequest): Promise<CallAnswer> {
  let answer: CallAnswer;
  let record: CallRecord | null;
  try {
    ({ answer, record } = await handle(deps, source, req));
  } catch (err) {
    if (!(err instanceof SourceError)) throw err;
    answer = errorAnswer(err);
    record = { outcome: 'rejected', statusCode: err.status, error: { code: err.code, message: err.message } };
  }
  if (record) await recordCall(deps.db, source.id, record, req.receivedAt);
  return answer;
}

/** A refusal recorded like any other (disabled source, rate limit, body too large). */
export async function refuseCall(deps: IntakeDeps, source: SourceRow, err: SourceError, at: Date, headers?: Record<string, string>): Promise<CallAnswer> {
  await recordCall(deps.db, source.id, { outcome: 'rejected', statusCode: err.status, error: { code: err.code, message: err.message } }, at);
  return errorAnswer(err, headers);
}

/** The answer, and the record to write (null: already written). */
async function handle(deps: IntakeDeps, source: SourceRow, req: SourceRequest): Promise<{ answer: CallAnswer; record: CallRecord | null }> {
  const module = sourceModule(source.type);
  if (!source.enabled) throw new SourceError({ status: 403, code: 'SOURCE_DISABLED', message: 'this source is disabled' });
  if (!module.methods.includes(req.method)) {
    throw new SourceError({ status: 405, code: 'METHOD_NOT_ALLOWED', message: `a ${source.type} source takes ${module.methods.join(' or ')}` });
  }
  const { config, credentials } = openSource(deps.secrets, source);
  const intake = await module.receive(req, { config, credentials, allowPrivateNetworks: deps.config.ALLOW_PRIVATE_DESTINATIONS });

  switch (intake.kind) {
    case 'reply':
      return {
        answer: { status: intake.status, text: { contentType: intake.contentType, body: intake.body } },
        record: { outcome: 'handshake', statusCode: intake.status },
      };
    case 'ignored': {
      // Indistinguishable from a real success, so a bot learns nothing.
      const redirectUrl = isBrowserForm(req) ? (config as { redirectUrl?: string }).redirectUrl : undefined;
      const answer = successAnswer(module.acceptedStatus, redirectUrl, { id: uuidv7(), status: 'pending' });
      return { answer, record: { outcome: 'ignored', statusCode: answer.status } };
    }
    case 'fetch':
      return queueFetches(deps, source, intake.refs, req.receivedAt);
    case 'leads': {
      const stored = await storeLeads(deps, source, intake.leads);
      const created = stored.filter((s) => s.created).length;
      const first = stored[0];
      const body = first.created ? { id: first.leadId, status: 'pending', deliveries: first.deliveries } : { id: first.leadId, duplicate: true };
      const status = intake.redirectUrl ? 303 : first.created ? module.acceptedStatus : 200;
      const answer: CallAnswer = intake.redirectUrl ? { status, headers: { location: intake.redirectUrl } } : { status, json: body };
      return {
        answer,
        record: { outcome: created ? 'accepted' : 'duplicate', statusCode: status, leads: stored.length, created, duplicates: stored.length - created },
      };
    }
  }
}

function successAnswer(acceptedStatus: number, redirectUrl: string | undefined, body: unknown): CallAnswer {
  return redirectUrl ? { status: 303, headers: { location: redirectUrl } } : { status: acceptedStatus, json: body };
}

function isBrowserForm(req: SourceRequest): boolean {
  const type = req.headers['content-type'] ?? '';
  return type.startsWith('application/x-www-form-urlencoded') || type.startsWith('multipart/form-data');
}

/**
 * A notification's leads become one fetch job each (the job id names the call and the lead, so
 * a repeated enqueue is a no-op). Leads already stored are counted as duplicates and not fetched
 * again. The call is recorded before its jobs exist, so each job's outcome finds its event.
 * Answered 200 at once; 503 when the jobs cannot be queued, so the platform retries.
 */
async function queueFetches(deps: IntakeDeps, source: SourceRow, refs: string[], receivedAt: Date): Promise<{ answer: CallAnswer; record: null }> {
  const stored = await deps.db.lead.findMany({
    where: { accountId: source.accountId, source: source.id, externalId: { in: refs } },
    select: { externalId: true },
  });
  const known = new Set(stored.map((l) => l.externalId));
  const toFetch = refs.filter((r) => !known.has(r));
  const outcome = toFetch.length || !refs.length ? 'accepted' : 'duplicate';
  const eventId = await recordCall(deps.db, source.id, { outcome, statusCode: 200, leads: refs.length, duplicates: known.size }, receivedAt);
  if (toFetch.length) {
    try {
      await deps.queues.addRetried(
        'fetch-lead',
        toFetch.map((ref) => ({ jobId: `fetch-${eventId}-${ref}`, payload: { sourceId: source.id, ref, eventId, receivedAt: receivedAt.toISOString() } })),
      );
    } catch (err) {
      deps.logger.error({ err: (err as Error).message, sourceId: source.id }, 'could not queue lead fetches');
      const refused = new SourceError({ status: 503, code: 'SERVICE_UNAVAILABLE', message: 'the queue is unavailable; nothing was accepted, retry later' });
      await markRefused(deps, source.id, eventId, refused);
      return { answer: errorAnswer(refused, { 'retry-after': '5' }), record: null };
    }
  }
  return { answer: { status: 200, json: { received: refs.length, queued: toFetch.length, duplicates: known.size } }, record: null };
}

/** Turns a recorded acceptance into a refusal (the jobs it promised could not be queued). */
async function markRefused(deps: IntakeDeps, sourceId: string, eventId: string, err: SourceError): Promise<void> {
  const error = { lastErrorCode: err.code, lastErrorMessage: err.message, lastErrorAt: new Date() };
  await deps.db.$transaction([
    deps.db.sourceEvent.update({
      where: { id: eventId },
      data: { outcome: 'rejected', statusCode: err.status, errorCode: err.code, errorMessage: err.message },
    }),
    deps.db.source.update({ where: { id: sourceId }, data: { rejected: { increment: 1 }, ...error } }),
  ]);
}
