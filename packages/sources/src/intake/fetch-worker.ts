import { backoffDelay, createJobWorker, isFinalAttempt, PermanentJobError, type JobWorker, type QueueJob, type RedisConnection } from '@crm-push/queue';
import { sourceModule } from '../registry';
import { SourceError } from '../source-error';
import type { IntakeDeps } from './intake-deps';
import { openSource, recordFetched, recordFetchFailure } from './source-store';
import { storeLeads } from './store-leads';

/**
 * One announced lead: skipped when already stored, otherwise fetched from the platform,
 * normalised and stored through the lead ingest. A retryable failure is retried by BullMQ with
 * the delivery retry policy; a final one (say, an expired page token) is recorded on the source.
 */
export async function fetchAnnouncedLead(deps: IntakeDeps, job: QueueJob<'fetch-lead'>): Promise<'created' | 'duplicate' | 'skipped'> {
  const { sourceId, ref, eventId, receivedAt } = job.data;
  const source = await deps.db.source.findUnique({ where: { id: sourceId } });
  // A source deleted since: its leads are no longer wanted.
  if (!source) return 'skipped';
  const known = await deps.db.lead.findFirst({ where: { accountId: source.accountId, source: source.id, externalId: ref }, select: { id: true } });
  if (known) {
    await recordFetched(deps.db, source.id, eventId, 'duplicate');
    return 'duplicate';
  }
  const module = sourceModule(source.type);
  if (!module.fetchLead) throw new PermanentJobError(`a ${source.type} source does not fetch leads`);
  const { config, credentials } = openSource(deps.secrets, source);
  const parsedConfig = module.configSchema.parse(config);
  let lead;
  try {
    lead = await module.fetchLead(
      ref,
      { config: parsedConfig, credentials, allowPrivateNetworks: deps.config.ALLOW_PRIVATE_DESTINATIONS },
      new Date(receivedAt),
    );
  } catch (err) {
    const error =
      err instanceof SourceError ? err : new SourceError({ status: 500, code: 'FETCH_FAILED', message: (err as Error).message, retryable: true, cause: err });
    const final = !error.retryable || isFinalAttempt(job);
    if (final) await recordFetchFailure(deps.db, source.id, { code: error.code, message: `lead ${ref}: ${error.message}` });
    deps.logger.warn({ sourceId, ref, code: error.code, final }, 'lead fetch failed');
    if (!error.retryable) throw new PermanentJobError(`${error.code}: ${error.message}`);
    throw error;
  }
  const [stored] = await storeLeads(deps, source, [lead]);
  const outcome = stored.created ? 'created' : 'duplicate';
  await recordFetched(deps.db, source.id, eventId, outcome);
  return outcome;
}

/** The worker of the source-fetches queue, at the layout's name and prefix. */
export function createSourceWorker(deps: IntakeDeps, connection: RedisConnection, opts: { concurrency: number }): JobWorker {
  const policy = { baseMs: deps.config.RETRY_BASE_MS, maxMs: deps.config.RETRY_MAX_MS };
  const worker = createJobWorker(
    deps.queues.layout.single('sources'),
    connection,
    { 'fetch-lead': (job) => fetchAnnouncedLead(deps, job) },
    {
      concurrency: opts.concurrency,
      backoff: (attemptsMade, err) => backoffDelay(attemptsMade, policy, err instanceof SourceError ? err.retryAfterMs : undefined),
    },
  );
  worker.on('error', (err) => deps.logger.error({ err: err.message }, 'source worker error'));
  return worker;
}
