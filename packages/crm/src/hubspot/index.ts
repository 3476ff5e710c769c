import type { CrmModule } from '../contract';
import { classifyHubSpotError } from './classify-error';
import { hubspotConfigSchema, hubspotCredentialsSchema, type HubSpotConfig, type HubSpotCredentials } from './config';
import { hubspotDefaultMapping } from './default-mapping';
import { BATCH_SIZE } from './push-batch';

/** HubSpot CRM contacts through @hubspot/api-client, with the queue as the only retry owner. */
export const hubspotModule: CrmModule<'hubspot', HubSpotConfig, HubSpotCredentials> = {
  type: 'hubspot',
  displayName: 'HubSpot',
  configSchema: hubspotConfigSchema,
  credentialsSchema: hubspotCredentialsSchema,
  defaultMapping: hubspotDefaultMapping,
  batching: { maxRecords: BATCH_SIZE },
  urlsOf: (config) => [config.baseUrl],
  createAdapter: ({ config, credentials, network }) => {
    // Loaded on the first HubSpot destination a process builds, not with the registry: the SDK's
    // generated client costs ~15 MB of RSS that a process never speaking to HubSpot need not pay.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { HubSpotAdapter } = require('./hubspot-adapter') as typeof import('./hubspot-adapter');
    return new HubSpotAdapter(config, credentials, network);
  },
  classifyError: classifyHubSpotError,
};

export { classifyHubSpotError, DAILY_LIMIT_RETRY_AFTER_MS } from './classify-error';
export { hubspotConfigSchema, hubspotCredentialsSchema, type HubSpotConfig, type HubSpotCredentials } from './config';
export { hubspotDefaultMapping } from './default-mapping';
