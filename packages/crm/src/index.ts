export * from './contract';
export { fieldRuleSchema, fieldMappingSchema, TRANSFORMS, type FieldRule, type Transform } from './mapping/field-rule';
export { crmModule, crmModules, CRM_TYPES, isCrmType, type CrmType } from './registry';
export { applyMapping, type MappingInput } from './mapping/apply-mapping';
export { validateMapping, type MappingIssue } from './mapping/validate-mapping';
export { leadTemplateContext } from './mapping/lead-context';
