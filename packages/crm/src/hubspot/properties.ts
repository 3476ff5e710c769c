import type { MappedRecord } from '../contract';

/** HubSpot property values are strings; empty values are left out so HubSpot keeps what it has. */
export function toProperties(record: MappedRecord): Record<string, string> {
  const properties: Record<string, string> = {};
  for (const [name, value] of Object.entries(record)) {
    if (value === null || value === undefined || value === '') continue;
    properties[name] = typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
  return properties;
}

/** The value identifying a contact by `upsertBy`; HubSpot compares emails case-insensitively. */
export function keyOf(properties: Record<string, string>, upsertBy: string): string | undefined {
  const value = properties[upsertBy]?.trim();
  if (!value) return undefined;
  return upsertBy === 'email' ? value.toLowerCase() : value;
}
