/**
 * The one lead shape every source produces (docs/api.md "Sources"), stored as the lead's `data`.
 * Default field mappings read these names.
 */
export interface NormalisedLead {
  providerType: string;
  providerLeadId: string;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  fullName: string | null;
  phoneNumber: string | null;
  company: string | null;
  /** Every field as received. */
  rawFieldData: Record<string, unknown>;
  /** The fields that are not standard questions. */
  customFields: Record<string, unknown>;
  receivedAt: string;
  /** A platform's test lead (stored with the lead's `test` flag, not in `data`). */
  test?: boolean;
}

/** The slots a field can fill; anything else standard (city, zip) stays in rawFieldData only. */
export type CoreField = 'email' | 'firstName' | 'lastName' | 'fullName' | 'phoneNumber' | 'company';
