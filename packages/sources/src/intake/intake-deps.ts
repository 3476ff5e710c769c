import type { DeliveryDeps, Ingester } from '@crm-push/delivery';

/** What intake needs: the delivery domain's dependencies and the process's shared ingester. */
export interface IntakeDeps extends DeliveryDeps {
  ingest: Ingester;
}
