import type { Db, Prisma, SecretBox } from '@crm-push/db';
import { hashIngestToken, tokenMatches } from './ingest-token';

export type SourceRow = Awaited<ReturnType<Db['source']['findFirstOrThrow']>>;

export type EventOutcome = 'accepted' | 'duplicate' | 'ignored' | 'rejected' | 'handshake' | 'fetch_failed';

export interface CallRecord {
  outcome: EventOutcome;
  statusCode?: number;
  leads?: number;
  created?: number;
  duplicates?: number;
  error?: { code: string; message: string };
}

/** The source an ingest token opens, or undefined (the caller answers 404 either way). */
export async function findSourceByToken(db: Db, token: string): Promise<SourceRow | undefined> {
  if (token.length > 200) return undefined;
  const found = await db.source.findUnique({ where: { tokenHash: hashIngestToken(token) } });
  // The index found it by hash; the constant-time comparison is what decides.
  return found && tokenMatches(token, found.tokenHash) ? found : undefined;
}

/** A source's own secrets and config, as its module reads them. */
export function openSource(secrets: SecretBox, source: SourceRow): { config: unknown; credentials: unknown } {
  return { config: source.config, credentials: source.credentials ? secrets.open(source.credentials) : {} };
}

/**
 * One call received: its event row and the source's counters, in one transaction. Returns the
 * event id (a Meta notification's fetch jobs add their leads to it later).
 */
export async function recordCall(db: Db, sourceId: string, call: CallRecord, at = new Date()): Promise<string> {
  const rejected = call.outcome === 'rejected';
  const data: Prisma.SourceUpdateInput = {
    received: { increment: 1 },
    lastReceivedAt: at,
    created: { increment: call.created ?? 0 },
    duplicates: { increment: call.duplicates ?? 0 },
    rejected: { increment: rejected ? 1 : 0 },
    ...(call.error ? { lastErrorCode: call.error.code, lastErrorMessage: call.error.message, lastErrorAt: at } : {}),
  };
  const [event] = await db.$transaction([
    db.sourceEvent.create({
      data: {
        sourceId,
        receivedAt: at,
        outcome: call.outcome,
        statusCode: call.statusCode,
        leads: call.leads ?? 0,
        created: call.created ?? 0,
        duplicates: call.duplicates ?? 0,
        errorCode: call.error?.code,
        errorMessage: call.error?.message,
      },
      select: { id: true },
    }),
    db.source.update({ where: { id: sourceId }, data, select: { id: true } }),
  ]);
  return event.id;
}

/** A fetched lead's outcome, added to the call that announced it and to the source's counters. */
export async function recordFetched(db: Db, sourceId: string, eventId: string, outcome: 'created' | 'duplicate'): Promise<void> {
  const field = outcome === 'created' ? 'created' : 'duplicates';
  await db.$transaction([
    db.sourceEvent.updateMany({ where: { id: eventId }, data: { [field]: { increment: 1 } } }),
    db.source.updateMany({ where: { id: sourceId }, data: { [field]: { increment: 1 } } }),
  ]);
}

/** A lead fetch that failed for good: an event of its own and the source's lastError. */
export async function recordFetchFailure(db: Db, sourceId: string, error: { code: string; message: string }, at = new Date()): Promise<void> {
  await db.$transaction([
    db.sourceEvent.create({ data: { sourceId, receivedAt: at, outcome: 'fetch_failed', leads: 1, errorCode: error.code, errorMessage: error.message } }),
    db.source.updateMany({ where: { id: sourceId }, data: { lastErrorCode: error.code, lastErrorMessage: error.message, lastErrorAt: at } }),
  ]);
}
