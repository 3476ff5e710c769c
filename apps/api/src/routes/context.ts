import type { DeliveryDeps } from '@crm-push/delivery';

/** What every router gets: the delivery domain's dependencies. */
export type ApiDeps = DeliveryDeps;
