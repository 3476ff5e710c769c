export { webhookModule, webhookConfigSchema, webhookCredentialsSchema } from './webhook-module';
