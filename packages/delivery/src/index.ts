export type { DeliveryDeps } from './deps';
export { leadStatusOf, refreshLeadStatus, type LeadStatus, type DeliveryStatus } from './lead-status';
export { recordFailure, recordSuccess } from './record-outcome';
export { processDelivery, type ProcessOutcome } from './process-delivery';
export { ingestLead, enqueueOrLeaveToSweep, type LeadInput, type IngestResult } from './ingest-lead';
export { deliveryView, leadView, leadInclude, findLead } from './views';
export { buildAdapter, testConnection } from './build-adapter';
export { createDeliveryWorker } from './delivery-worker';
