export { formModule, formConfigSchema, type FormConfig } from './form-module';
