export * from './contract';
export { CrmError, isRetryableStatus, parseRetryAfter, networkError, networkErrorCode } from './crm-error';
export { fieldRuleSchema, fieldMappingSchema, TRANSFORMS, type FieldRule, type Transform } from './mapping/field-rule';
export { standardWebhookHeaders } from './standard-webhooks';
export { crmModule, crmModules, CRM_TYPES } from './registry';
export { renderTemplate, validateTemplate } from './mapping/template';
