import type { DeliveryDeps } from './deps';

/** Riders handled per round of reads and Redis calls: a Bulk job's 10 000 go in a few. */
const CHUNK = 1000;

/**
 * After a batch call has recorded its outcomes, its riders' own jobs: those of riders it settled
 * are removed (each would run only to load its row and find that out, a second execution per
 * delivery), the others are woken to look again now rather than at their next recheck (a Bulk
 * claim's riders recheck only every 30 s). Best effort: a job left alone still finds its row
 * when it runs, and a running one is never touched.
 */
export async function finishRiderJobs(deps: DeliveryDeps, destinationId: string, riderIds: string[]): Promise<void> {
  for (let i = 0; i < riderIds.length; i += CHUNK) {
    try {
      const rows = await deps.db.delivery.findMany({
        where: { id: { in: riderIds.slice(i, i + CHUNK) } },
        select: { id: true, kind: true, round: true, status: true },
      });
      const refs = rows.map((r) => ({ ...r, destinationId }));
      const settled = (r: (typeof refs)[number]) => r.status === 'succeeded' || r.status === 'failed';
      await Promise.all([deps.queues.removeJobsOf(refs.filter(settled)), deps.queues.promote(refs.filter((r) => !settled(r)))]);
    } catch (err) {
      deps.logger.debug({ destinationId, err: (err as Error).message }, 'riders left to their own rechecks');
    }
  }
}
