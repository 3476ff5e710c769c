import { clean, cleanEmail, completeNames } from './names';
import type { CoreField, NormalisedLead } from './normalised-lead';

/** How a field name is read: the core slot it fills, `standard` (known, not custom), or custom. */
export type FieldRole = CoreField | 'standard' | undefined;

export interface LeadFields {
  providerType: string;
  providerLeadId: string;
  /** Every field as received, by the name the platform gave it. */
  fields: Record<string, unknown>;
  roleOf(name: string): FieldRole;
  receivedAt: Date;
  test?: boolean;
}

/**
 * The normalised lead of a set of received fields: core slots filled (first match wins), text
 * trimmed, email lower-cased, names split or joined, every field kept in rawFieldData and the
 * non-standard ones in customFields.
 */
export function buildLead(input: LeadFields): NormalisedLead {
  const core: Partial<Record<CoreField, string | null>> = {};
  const customFields: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(input.fields)) {
    const role = input.roleOf(name);
    if (role === undefined) customFields[name] = typeof value === 'string' ? value.trim() : value;
    else if (role !== 'standard' && !core[role]) core[role] = role === 'email' ? cleanEmail(value) : clean(value);
  }
  const names = completeNames({ firstName: core.firstName ?? null, lastName: core.lastName ?? null, fullName: core.fullName ?? null });
  return {
    providerType: input.providerType,
    providerLeadId: input.providerLeadId,
    email: core.email ?? null,
    ...names,
    phoneNumber: core.phoneNumber ?? null,
    company: core.company ?? null,
    rawFieldData: { ...input.fields },
    customFields,
    receivedAt: input.receivedAt.toISOString(),
    ...(input.test ? { test: true } : {}),
  };
}

/**
 * Field names people give form inputs and webhook payloads, by the slot they fill. Compared
 * case-insensitively with `-`, `_` and spaces removed ("First Name" = "first_name" = "firstName").
 */
const COMMON_ALIASES: Record<CoreField, string[]> = {
  email: ['email', 'emailaddress', 'mail', 'workemail'],
  firstName: ['firstname', 'givenname', 'fname'],
  lastName: ['lastname', 'surname', 'familyname', 'lname'],
  fullName: ['fullname', 'name', 'yourname'],
  phoneNumber: ['phone', 'phonenumber', 'tel', 'telephone', 'mobile', 'mobilephone', 'workphone'],
  company: ['company', 'companyname', 'organization', 'organisation'],
};
const COMMON_STANDARD = ['jobtitle', 'title', 'city', 'state', 'region', 'zip', 'zipcode', 'postalcode', 'country', 'streetaddress', 'address', 'message'];

const ALIAS_INDEX = new Map<string, FieldRole>([
  ...Object.entries(COMMON_ALIASES).flatMap(([role, names]) => names.map((n) => [n, role as CoreField] as const)),
  ...COMMON_STANDARD.map((n) => [n, 'standard'] as const),
]);

/** The role of a free-form field name (forms, webhooks, Meta questions). */
export function commonRoleOf(name: string): FieldRole {
  return ALIAS_INDEX.get(name.toLowerCase().replace(/[-_\s]/g, ''));
}
