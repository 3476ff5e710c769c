import type { FakeSObject } from './sobject-catalog';
import type { SaveError } from './salesforce-errors';

export type SalesforceRecord = Record<string, unknown> & { Id: string };

/**
 * Checks a write the way Salesforce does: unknown fields → INVALID_FIELD, and on create a
 * required field without a value → REQUIRED_FIELD_MISSING. Returns the fields under their
 * canonical names (Salesforce field names are case-insensitive).
 */
export function validateWrite(
  sObject: FakeSObject,
  input: Record<string, unknown>,
  creating: boolean,
): { fields: Record<string, unknown> } | { error: SaveError } {
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (key === 'attributes') continue;
    const field = sObject.fields.find((f) => f.name.toLowerCase() === key.toLowerCase());
    if (!field || field.name === 'Id') {
      return { error: { statusCode: 'INVALID_FIELD', message: `No such column '${key}' on sobject of type ${sObject.name}`, fields: [key] } };
    }
    fields[field.name] = value;
  }
  const missing = sObject.fields.filter((f) => f.required && (creating || f.name in fields) && isEmpty(fields[f.name])).map((f) => f.name);
  if (missing.length) {
    return { error: { statusCode: 'REQUIRED_FIELD_MISSING', message: `Required fields are missing: [${missing.join(', ')}]`, fields: missing } };
  }
  return { fields };
}

function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}
