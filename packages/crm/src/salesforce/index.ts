import type { CrmModule } from '../contract';
import { COLLECTION_LIMIT, salesforceConfigSchema, salesforceCredentialsSchema, tokenUrlOf, type SalesforceConfig, type SalesforceCredentials } from './config';
import { salesforceDefaultMapping } from './default-mapping';
import { classifyError } from './error-taxonomy';

/** Salesforce through jsforce: creates (or upserts by external id) one sObject per lead. */
export const salesforceModule: CrmModule<'salesforce', SalesforceConfig, SalesforceCredentials> = {
  type: 'salesforce',
  displayName: 'Salesforce',
  configSchema: salesforceConfigSchema,
  credentialsSchema: salesforceCredentialsSchema,
  defaultMapping: salesforceDefaultMapping,
  // Collections below Salesforce's Bulk threshold, Bulk API 2.0 ingest jobs above it (pushBulk).
  batching: { maxRecords: COLLECTION_LIMIT, bulk: true },
  urlsOf: (config, credentials) => [config.instanceUrl, tokenUrlOf(config, credentials)],
  createAdapter: ({ config, credentials, hooks, network }) => {
    // Loaded on the first Salesforce destination a process builds: jsforce costs ~30 MB of RSS,
    // which a process that never speaks to Salesforce need not pay.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { SalesforceAdapter } = require('./salesforce-adapter') as typeof import('./salesforce-adapter');
    return new SalesforceAdapter(config, credentials, network, hooks);
  },
  classifyError: (err) => classifyError(err),
};

export { classifyError as classifySalesforceError, classifySaveError } from './error-taxonomy';
export { MAX_REFRESHES_PER_CALL } from './token-refresher';
export { salesforceConfigSchema, salesforceCredentialsSchema, type SalesforceConfig, type SalesforceCredentials } from './config';
export { salesforceDefaultMapping } from './default-mapping';
