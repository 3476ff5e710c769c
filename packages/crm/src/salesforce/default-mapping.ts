import type { FieldRule } from '../mapping/field-rule';
import { STANDARD_FROM } from '../mapping/standard-lead-fields';

/**
 * Lead fields for a destination without its own mapping. LastName and Company are required on a
 * Lead, so they get defaults: a lead without them still lands instead of failing REQUIRED_FIELD_MISSING.
 */
export const salesforceDefaultMapping: FieldRule[] = [
  { from: 'email', to: 'Email', transform: ['trim', 'lowercase'] },
  { from: STANDARD_FROM.firstName, to: 'FirstName', transform: ['trim'] },
  { from: STANDARD_FROM.lastName, to: 'LastName', transform: ['trim'], default: 'Unknown' },
  { from: 'company', to: 'Company', transform: ['trim'], default: 'Unknown' },
  { from: STANDARD_FROM.phone, to: 'Phone', transform: ['string', 'trim'] },
  { from: 'title', to: 'Title', transform: ['trim'] },
  { from: 'website', to: 'Website', transform: ['trim'] },
  { from: 'city', to: 'City', transform: ['trim'] },
  { from: 'state', to: 'State', transform: ['trim'] },
  { from: 'country', to: 'Country', transform: ['trim'] },
];
