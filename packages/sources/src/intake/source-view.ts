import type { SecretBox } from '@crm-push/db';
import { ingestUrl } from './ingest-token';
import type { SourceRow } from './source-store';

/** A source as docs/api.md shows it: never its credentials, its ingest URL always. */
export function sourceView(source: SourceRow, secrets: SecretBox, publicUrl?: string) {
  return {
    id: source.id,
    name: source.name,
    type: source.type,
    enabled: source.enabled,
    ingestUrl: ingestUrl(secrets.open<string>(source.tokenSealed), publicUrl),
    config: source.config,
    hasCredentials: source.credentials !== null,
    stats: {
      received: source.received,
      created: source.created,
      duplicates: source.duplicates,
      rejected: source.rejected,
      lastReceivedAt: source.lastReceivedAt?.toISOString() ?? null,
      lastError: source.lastErrorCode
        ? { code: source.lastErrorCode, message: source.lastErrorMessage ?? '', at: source.lastErrorAt?.toISOString() ?? null }
        : null,
    },
    createdAt: source.createdAt.toISOString(),
    updatedAt: source.updatedAt.toISOString(),
  };
}

type EventRow = {
  id: string;
  receivedAt: Date;
  outcome: string;
  statusCode: number | null;
  leads: number;
  created: number;
  duplicates: number;
  errorCode: string | null;
  errorMessage: string | null;
};

export function sourceEventView(e: EventRow) {
  return {
    id: e.id,
    at: e.receivedAt.toISOString(),
    outcome: e.outcome,
    statusCode: e.statusCode,
    leads: e.leads,
    created: e.created,
    duplicates: e.duplicates,
    error: e.errorCode ? { code: e.errorCode, message: e.errorMessage ?? '' } : null,
  };
}
