import { healthView, type HealthFacts } from '@crm-push/delivery';

/** A destination as the API shows it: credentials never leave the server. */
export function destinationView(
  d: {
    id: string;
    name: string;
    type: string;
    enabled: boolean;
    routing: string;
    config: unknown;
    credentials: string | null;
    fieldMapping: unknown;
    createdAt: Date;
    updatedAt: Date;
    limits: unknown;
    batch?: unknown;
    healthState: string;
    healthReason: string | null;
    healthSince: Date | null;
    resumeAt: Date | null;
  },
  facts: HealthFacts = { consecutiveFailures: 0, queued: 0 },
) {
  return {
    id: d.id,
    name: d.name,
    type: d.type,
    enabled: d.enabled,
    routing: d.routing,
    config: d.config,
    fieldMapping: d.fieldMapping ?? null,
    hasCredentials: d.credentials !== null,
    limits: d.limits ?? null,
    batch: d.batch ?? null,
    health: healthView(d, facts),
    createdAt: d.createdAt.toISOString(),
    updatedAt: d.updatedAt.toISOString(),
  };
}
