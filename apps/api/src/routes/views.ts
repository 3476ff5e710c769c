/** A destination as the API shows it: credentials never leave the server. */
export function destinationView(d: {
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
}) {
  return {
    id: d.id,
    name: d.name,
    type: d.type,
    enabled: d.enabled,
    routing: d.routing,
    config: d.config,
    fieldMapping: d.fieldMapping ?? null,
    hasCredentials: d.credentials !== null,
    createdAt: d.createdAt.toISOString(),
    updatedAt: d.updatedAt.toISOString(),
  };
}
