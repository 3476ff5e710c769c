export { deliveryDepsOf, type DeliveryDeps, type DeliveryMetrics } from './deps';
export { leadStatusOf, refreshLeadStatus, type LeadStatus, type DeliveryStatus } from './lead-status';
export { recordFailure, recordSuccesses } from './record-outcome';
export { processDelivery, type ProcessOutcome, type DeliveryJob } from './process-delivery';
export { decideFate, errorForQueue, invariantBreach, statusOfFate, type DeliveryFacts, type FailureFate, type FailureVerdict } from './delivery-fate';
export { createIngester, ingestLead, type Ingester, type LeadInput, type IngestResult } from './ingest-lead';
export { enqueueOrLeaveToSweep } from './leave-to-sweep';
export { deliveryView, leadView, leadInclude, findLead } from './views';
export { buildAdapter, testConnection } from './build-adapter';
export { createDeliveryWorkers } from './delivery-worker';
export { sealActions, openAction, storedActions, actionsView, type StoredAction, type StoredWebhookAction } from './flow-secrets';
export { ACTION_KINDS, isActionKind } from './prepare-action-call';
export { loadRouting, planDeliveries, type AccountRouting, type PlannedDelivery, type LeadForRouting } from './plan-deliveries';
export { requeueDeliveries, requeuePages, startPushRound, REQUEUE_PAGE_SIZE, type RequeueWhere, type RequeueReason, type RequeuedDelivery } from './requeue';
export { runSweep, SWEEP_LOCK_KEY, type SweepOptions, type SweepResult } from './sweep';
export {
  createMaintenanceWorker,
  ensureSweepScheduler,
  ensureRetentionScheduler,
  LEAD_ERASURE_SCHEDULER_ID,
  RETENTION_SCHEDULER_ID,
  SWEEP_SCHEDULER_ID,
  type MaintenanceWorker,
} from './maintenance-worker';
export { eraseLeads, eraseExpiredLeads, forgetJobs, RETENTION_BATCH, type EraseWhich } from './erase-leads';
export * from './lanes';
export { pushLead, PushError } from './push-controls';
export { findOperation, operationView, startPushPending, type OperationView } from './push-pending-operation';
export { trimHistory, trimSourceEvents, SOURCE_EVENT_RETENTION_DAYS, type RetentionOptions, type RetentionResult } from './retention';
export { batchSettingsSchema, effectiveBatch, type BatchSettings, type EffectiveBatch } from './batch-settings';
