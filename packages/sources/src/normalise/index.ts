export type { NormalisedLead, CoreField } from './normalised-lead';
export { buildLead, commonRoleOf, type FieldRole, type LeadFields } from './build-lead';
export { clean, cleanEmail, splitName, joinName, completeNames } from './names';
