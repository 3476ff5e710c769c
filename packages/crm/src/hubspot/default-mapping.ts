import type { FieldRule } from '../mapping/field-rule';
import { STANDARD_FROM } from '../mapping/standard-lead-fields';

/**
 * Lead fields → HubSpot's built-in contact properties (internal names), used when a destination
 * has no fieldMapping. Empty values are simply left out by the mapping engine.
 */
export const hubspotDefaultMapping: FieldRule[] = [
  { from: 'email', to: 'email', transform: ['trim', 'lowercase'] },
  { from: STANDARD_FROM.firstName, to: 'firstname', transform: ['trim'] },
  { from: STANDARD_FROM.lastName, to: 'lastname', transform: ['trim'] },
  { from: 'company', to: 'company', transform: ['trim'] },
  { from: STANDARD_FROM.phone, to: 'phone', transform: ['trim'] },
  { from: 'mobilePhone', to: 'mobilephone', transform: ['trim'] },
  { from: 'website', to: 'website', transform: ['trim'] },
  { from: 'jobTitle', to: 'jobtitle', transform: ['trim'] },
  { from: 'address', to: 'address', transform: ['trim'] },
  { from: 'city', to: 'city', transform: ['trim'] },
  { from: 'state', to: 'state', transform: ['trim'] },
  { from: 'zip', to: 'zip', transform: ['trim'] },
  { from: 'country', to: 'country', transform: ['trim'] },
  { from: 'industry', to: 'industry', transform: ['trim'] },
  { from: 'message', to: 'message', transform: ['trim'] },
];
