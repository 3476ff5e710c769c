/**
 * Redis keys of one destination's lane. The `{lane:<id>}` hash tag keeps them in one Redis
 * Cluster slot, so a MULTI can span them.
 */
export function laneKeys(destinationId: string) {
  const base = `crm-push:{lane:${destinationId}}`;
  return {
    /** Sorted set: one member per admitted call, scored by its time (the rolling window). */
    calls: `${base}:calls`,
    /** Sorted set: one member per running call, scored by its lease's expiry (the semaphore). */
    leases: `${base}:leases`,
    /** Sorted set: deliveries waiting for the lane, scored by when they first waited (FIFO order). */
    waiting: `${base}:waiting`,
    /** Hash {until, reason, probe}: a wait the vendor imposed (429 window, daily allowance). */
    hold: `${base}:hold`,
    /** Hash {max, intervalMs}: the burst limit the vendor reported in its headers. */
    learned: `${base}:learned`,
    /** Counter of consecutive retryable failed calls. */
    failures: `${base}:failures`,
    /** Hash {reason, resumeAt}: the pause, mirrored from PostgreSQL so every worker sees it at once. */
    paused: `${base}:paused`,
    /** Set while one call probes a paused or held lane. */
    probe: `${base}:probe`,
  };
}

export type LaneKeys = ReturnType<typeof laneKeys>;
