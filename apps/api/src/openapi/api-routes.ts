import { ADMIN_ROUTES } from '../admin/admin-routes';
import type { ApiRoute, RouteTable } from '../http/route';
import { METRICS_ROUTES } from '../metrics/metrics-router';
import { ACCOUNT_ROUTES } from '../routes/accounts';
import { API_KEY_ROUTES } from '../routes/api-keys';
import { DELIVERY_ROUTES } from '../routes/deliveries';
import { DESTINATION_ROUTES } from '../routes/destinations';
import { FLOW_ROUTES } from '../routes/flows';
import { HEALTH_ROUTES } from '../routes/health';
import { INGEST_ROUTES } from '../routes/ingest';
import { LEAD_ROUTES } from '../routes/leads';
import { OPERATION_ROUTES } from '../routes/operations';
import { SOURCE_ROUTES } from '../routes/sources';

/**
 * Every router's route table: the routers register these (routerOf / route), the document is
 * built from them. A router whose table is missing here fails openapi-live.test.ts, which holds
 * the document against the routes Express really serves.
 */
const TABLES: RouteTable[] = [
  ACCOUNT_ROUTES,
  API_KEY_ROUTES,
  DESTINATION_ROUTES,
  LEAD_ROUTES,
  OPERATION_ROUTES,
  DELIVERY_ROUTES,
  FLOW_ROUTES,
  HEALTH_ROUTES,
  METRICS_ROUTES,
  ADMIN_ROUTES,
  SOURCE_ROUTES,
  INGEST_ROUTES,
];

export const API_ROUTES: ApiRoute[] = TABLES.flatMap((table) => Object.values(table));
