import type { Db } from '@crm-push/db';
import type { RedisConnection } from '@crm-push/queue';
import { laneKeys } from './lane-keys';

interface HealthColumns {
  id: string;
  healthState: string;
  healthReason: string | null;
  healthSince: Date | null;
  resumeAt: Date | null;
}

export interface HealthFacts {
  consecutiveFailures: number;
  queued: number;
}

/** `health` of the destination view (docs/api.md, "Flow control"). */
export function healthView(d: HealthColumns, facts: HealthFacts) {
  return {
    state: d.healthState,
    reason: d.healthReason,
    since: d.healthSince?.toISOString() ?? null,
    resumeAt: d.resumeAt?.toISOString() ?? null,
    consecutiveFailures: facts.consecutiveFailures,
    queued: facts.queued,
  };
}

/** The live figures of the views: waiting deliveries from PostgreSQL, failure counts from the lanes. */
export async function readHealthFacts(db: Db, redis: RedisConnection | undefined, ids: string[]): Promise<Map<string, HealthFacts>> {
  const facts = new Map(ids.map((id) => [id, { consecutiveFailures: 0, queued: 0 }]));
  if (!ids.length) return facts;
  const [groups, failures] = await Promise.all([
    db.delivery.groupBy({ by: ['destinationId'], where: { destinationId: { in: ids }, status: { in: ['queued', 'retrying'] } }, _count: { _all: true } }),
    redis ? redis.mget(ids.map((id) => laneKeys(id).failures)).catch(() => ids.map(() => null)) : ids.map(() => null),
  ]);
  for (const g of groups) if (g.destinationId) facts.get(g.destinationId)!.queued = g._count._all;
  ids.forEach((id, i) => (facts.get(id)!.consecutiveFailures = Number(failures[i] ?? 0)));
  return facts;
}

export function destinationEventView(e: { id: string; at: Date; state: string; reason: string | null; message: string; resumeAt: Date | null }) {
  return { id: e.id, at: e.at.toISOString(), state: e.state, reason: e.reason, message: e.message, resumeAt: e.resumeAt?.toISOString() ?? null };
}
