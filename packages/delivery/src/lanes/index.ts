export { Lanes, type LanePass, type LaneWait, type WaitReason } from './lanes';
export { enterLane, waitIfLaneClosed } from './enter-lane';
export { laneLimitsSchema, effectiveLimits, storedLimits, DEFAULT_MAX_CONCURRENCY, type LaneLimits, type EffectiveLimits } from './lane-limits';
export { changeHealth, pauseDestination, resumeDestination, promoteWaiting, type HealthState, type HealthReason } from './lane-health';
export { healthView, destinationEventView, readHealthFacts, type HealthFacts } from './health-view';
export { laneKeys } from './lane-keys';
