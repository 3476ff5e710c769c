import type { CrmModule } from '../contract';
import { salesforceConfigSchema, salesforceCredentialsSchema, tokenUrlOf, type SalesforceConfig, type SalesforceCredentials } from './config';
import { salesforceDefaultMapping } from './default-mapping';
import { classifyError } from './error-taxonomy';
import { SalesforceAdapter } from './salesforce-adapter';

/** Salesforce through jsforce: creates (or upserts by external id) one sObject per lead. */
export const salesforceModule: CrmModule<'salesforce', SalesforceConfig, SalesforceCredentials> = {
  type: 'salesforce',
  displayName: 'Salesforce',
  configSchema: salesforceConfigSchema,
  credentialsSchema: salesforceCredentialsSchema,
  defaultMapping: salesforceDefaultMapping,
  urlsOf: (config, credentials) => [config.instanceUrl, tokenUrlOf(config, credentials)],
  createAdapter: ({ config, credentials, hooks, network }) => new SalesforceAdapter(config, credentials, network, hooks),
  classifyError: (err) => classifyError(err),
};

export { SalesforceAdapter, COLLECTION_LIMIT } from './salesforce-adapter';
export { classifyError as classifySalesforceError, classifySaveError } from './error-taxonomy';
export { MAX_REFRESHES_PER_CALL } from './token-refresher';
export { salesforceConfigSchema, salesforceCredentialsSchema, type SalesforceConfig, type SalesforceCredentials } from './config';
export { salesforceDefaultMapping } from './default-mapping';
