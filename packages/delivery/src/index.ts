export type { DeliveryDeps, DeliveryMetrics } from './deps';
export { leadStatusOf, refreshLeadStatus, type LeadStatus, type DeliveryStatus } from './lead-status';
export { recordFailure, recordSuccesses } from './record-outcome';
export { processDelivery, type ProcessOutcome } from './process-delivery';
export { createIngester, ingestLead, type Ingester, type LeadInput, type IngestResult } from './ingest-lead';
export { enqueueOrLeaveToSweep } from './leave-to-sweep';
export { deliveryView, leadView, leadInclude, findLead } from './views';
export { buildAdapter, testConnection } from './build-adapter';
export { createDeliveryWorker } from './delivery-worker';
export { sealActions, openAction, storedActions, actionsView, type StoredAction, type StoredWebhookAction } from './flow-secrets';
export { ACTION_KINDS, isActionKind } from './prepare-action-call';
export { loadRouting, planDeliveries, type AccountRouting, type PlannedDelivery, type LeadForRouting } from './plan-deliveries';
export { requeueDeliveries, requeuePages, REQUEUE_PAGE_SIZE, type RequeueWhere, type RequeueReason, type RequeuedDelivery } from './requeue';
export { runSweep, SWEEP_LOCK_KEY, type SweepOptions, type SweepResult } from './sweep';
export {
  createMaintenanceWorker,
  ensureSweepScheduler,
  trimSourceEvents,
  SWEEP_SCHEDULER_ID,
  TRIM_SOURCE_EVENTS_SCHEDULER_ID,
  type MaintenanceWorker,
} from './maintenance-worker';
export { pushLead, PushError } from './push-controls';
export { findOperation, operationView, startPushPending, type OperationView } from './push-pending-operation';
