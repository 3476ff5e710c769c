import { deliveryJobId, type RedisConnection } from '@crm-push/queue';
import type { DeliveryDeps } from '../deps';
import { laneKeys } from './lane-keys';

export type HealthState = 'active' | 'throttled' | 'paused';
export type HealthReason = 'RATE_LIMITED' | 'DAILY_LIMIT' | 'FAILING' | 'CREDENTIALS_REJECTED' | 'MANUAL';

export interface HealthChange {
  state: HealthState;
  reason: HealthReason | null;
  resumeAt: Date | null;
  /** Paused only: the cool-down this pause started with (doubles on each failed probe). */
  cooldownMs?: number | null;
  message: string;
  /**
   * Only while the destination's credentials version is still this one: a call made with
   * credentials an admin has since replaced says nothing about the new ones (see Lanes.pause).
   */
  credentialsVersion?: number;
}

/**
 * Moves a destination to a new health state, once: a conditional update (only from one of
 * `from`, and only if something changes), so many workers noticing the same thing at once write
 * one event and one log line between them. Returns whether this call made the change.
 */
export async function changeHealth(
  deps: Pick<DeliveryDeps, 'db' | 'logger'>,
  destinationId: string,
  next: HealthChange,
  from: HealthState[],
): Promise<boolean> {
  const now = new Date();
  const changed = await deps.db.$transaction(async (tx) => {
    const { count } = await tx.destination.updateMany({
      where: {
        id: destinationId,
        healthState: { in: from },
        NOT: { healthState: next.state, healthReason: next.reason },
        ...(next.credentialsVersion !== undefined ? { credentialsVersion: next.credentialsVersion } : {}),
      },
      data: {
        healthState: next.state,
        healthReason: next.reason,
        healthSince: now,
        resumeAt: next.resumeAt,
        ...(next.cooldownMs !== undefined ? { pauseCooldownMs: next.cooldownMs } : {}),
      },
    });
    if (!count) return false;
    await tx.destinationEvent.create({
      data: { destinationId, at: now, state: next.state, reason: next.reason, message: next.message, resumeAt: next.resumeAt },
    });
    return true;
  });
  if (changed) {
    deps.logger.info(
      { destinationId, state: next.state, reason: next.reason, resumeAt: next.resumeAt?.toISOString() ?? null },
      `destination ${next.state}: ${next.message}`,
    );
  }
  return changed;
}

/** Pauses a destination (once) and mirrors the pause into its lane, so jobs already loaded see it too. */
export async function pauseDestination(
  deps: Pick<DeliveryDeps, 'db' | 'logger' | 'lanes'>,
  destinationId: string,
  pause: { reason: HealthReason; resumeAt: Date | null; cooldownMs: number | null; message: string; credentialsVersion?: number },
  from: HealthState[] = ['active', 'throttled'],
): Promise<boolean> {
  const changed = await changeHealth(deps, destinationId, { state: 'paused', ...pause }, from);
  if (changed) await mirrorPause(deps.lanes?.redis, destinationId, pause.reason, pause.resumeAt, pause.credentialsVersion);
  return changed;
}

/**
 * The lane's copy of a pause. It carries the credentials version it was made under, so a mirror
 * written just after an admin's update resumed the destination is ignored by jobs that loaded the
 * newer version (Lanes.admit).
 */
async function mirrorPause(
  redis: RedisConnection | undefined,
  destinationId: string,
  reason: string,
  resumeAt: Date | null,
  credentialsVersion?: number,
): Promise<void> {
  if (!redis) return;
  const key = laneKeys(destinationId).paused;
  await redis
    .multi()
    .hset(key, {
      reason,
      resumeAt: String(resumeAt?.getTime() ?? 0),
      ...(credentialsVersion !== undefined ? { credentialsVersion: String(credentialsVersion) } : {}),
    })
    .pexpire(key, 86_400_000)
    .exec();
}

/**
 * A paused destination's probe failed: the same pause, a doubled cool-down, a later probe (written
 * without a new event). With `credentialsVersion`, only while that version is current; returns
 * null when it is not (the credentials the probe used were replaced meanwhile).
 */
export async function extendPause(
  deps: Pick<DeliveryDeps, 'db' | 'logger' | 'lanes'>,
  destinationId: string,
  cooldownMs: number,
  reason: string,
  credentialsVersion?: number,
): Promise<Date | null> {
  const resumeAt = new Date(Date.now() + cooldownMs);
  if (credentialsVersion === undefined) await mirrorPause(deps.lanes?.redis, destinationId, reason, resumeAt);
  const { count } = await deps.db.destination.updateMany({
    where: { id: destinationId, healthState: 'paused', ...(credentialsVersion !== undefined ? { credentialsVersion } : {}) },
    data: { resumeAt, pauseCooldownMs: cooldownMs },
  });
  if (credentialsVersion !== undefined) {
    if (!count) return null;
    await mirrorPause(deps.lanes?.redis, destinationId, reason, resumeAt, credentialsVersion);
  }
  deps.logger.info({ destinationId, cooldownMs, resumeAt: resumeAt.toISOString() }, 'destination probe failed: still paused');
  return resumeAt;
}

/**
 * Resumes a destination (manual resume, new credentials or config, a successful probe): forgets
 * the lane's holds and failure count, and wakes its waiting deliveries at once instead of at the
 * end of their wait (their delayed jobs are promoted; the job id is the delivery id).
 */
export async function resumeDestination(deps: DeliveryDeps, destinationId: string, message: string, redis = deps.lanes?.redis): Promise<boolean> {
  const changed = await changeHealth(deps, destinationId, { state: 'active', reason: null, resumeAt: null, cooldownMs: null, message }, [
    'paused',
    'throttled',
  ]);
  if (redis) {
    const keys = laneKeys(destinationId);
    await redis.del(keys.hold, keys.failures, keys.probe, keys.paused);
  }
  if (changed) {
    await promoteWaiting(deps, destinationId);
    // A job that read the pause just before the resume may move itself to delayed just after
    // the first pass: a second pass a moment later wakes it too.
    setTimeout(() => {
      promoteWaiting(deps, destinationId).catch((err: Error) => deps.logger.warn({ destinationId, err: err.message }, 'second wake-up after resume failed'));
    }, SECOND_WAKE_UP_MS).unref();
  }
  return changed;
}

/** Far longer than a job takes from reading its lane's pause to moving itself to delayed. */
const SECOND_WAKE_UP_MS = 2000;

const PROMOTE_CHUNK = 200;

/** Moves the delayed jobs of a destination's waiting deliveries to the front of their wait. */
export async function promoteWaiting(deps: Pick<DeliveryDeps, 'db' | 'queues'>, destinationId: string): Promise<number> {
  let promoted = 0;
  for (let cursor: string | undefined; ;) {
    const page = await deps.db.delivery.findMany({
      where: { destinationId, status: { in: ['queued', 'retrying'] }, ...(cursor ? { id: { gt: cursor } } : {}) },
      select: { id: true, round: true },
      orderBy: { id: 'asc' },
      take: PROMOTE_CHUNK,
    });
    if (!page.length) return promoted;
    cursor = page[page.length - 1].id;
    const results = await Promise.allSettled(
      page.map(async ({ id, round }) => {
        const job = await deps.queues.queueFor({ id, kind: 'crm', destinationId }).getJob(deliveryJobId(id, round));
        if (job && (await job.isDelayed())) await job.promote();
      }),
    );
    promoted += results.filter((r) => r.status === 'fulfilled').length;
  }
}
